package dev.libsqlplatform.controlplane.group;

import java.util.List;

import dev.libsqlplatform.controlplane.location.LocationService;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Names;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.quotas.QuotaDecision;
import dev.libsqlplatform.quotas.QuotaPolicy;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Groups. Deleting a group deletes its databases, as Turso does ({@code turso group destroy} removes every
 * database of the group); delete protection on the group refuses the delete.
 */
@Service
public class GroupService {

    public static final String DEFAULT_GROUP = "default";

    private final DbGroupRepository groups;
    private final OrganizationService organizations;
    private final LocationService locations;
    private final JdbcAggregateTemplate aggregates;
    private final ApplicationEventPublisher events;

    GroupService(DbGroupRepository groups, OrganizationService organizations, LocationService locations,
                 JdbcAggregateTemplate aggregates, ApplicationEventPublisher events) {
        this.groups = groups;
        this.organizations = organizations;
        this.locations = locations;
        this.aggregates = aggregates;
        this.events = events;
    }

    public List<DbGroup> list(Organization org) {
        return groups.findLiveByOrganization(org.id());
    }

    public DbGroup get(Organization org, String name) {
        return groups.findLive(org.id(), name).orElseThrow(() -> ApiError.GROUP_NOT_FOUND.exception("group not found"));
    }

    /** For database creation: an unknown group is a 400 there. */
    public DbGroup forNewDatabase(Organization org, String name) {
        return groups.findLive(org.id(), name).orElseThrow(() -> ApiError.UNKNOWN_GROUP.exception("group not found"));
    }

    @Transactional
    public DbGroup create(Organization org, String name, String location) {
        organizations.lock(org.id());
        Names.requireValid("group", name);
        String primary = location == null || location.isBlank() ? locations.defaultLocation() : location;
        if (!locations.exists(primary)) {
            throw ApiError.LOCATION_INVALID.exception("invalid location: " + primary);
        }
        if (groups.findLive(org.id(), name).isPresent()) {
            throw ApiError.GROUP_EXISTS.exception("group already exists");
        }
        if (QuotaPolicy.mayCreateGroup(organizations.plan(org), groups.countLive(org.id())) instanceof QuotaDecision.Denied d) {
            throw ApiError.forQuotaCode(d.code()).exception(d.message());
        }
        DbGroup created = aggregates.insert(new DbGroup(Ids.newId(), org.id(), name, primary, false, Ids.now(), null, ""));
        events.publishEvent(new GroupCreated(created.id(), org.id()));
        return created;
    }

    /** Creates the {@code default} group at the first location when the organization has none of that name. */
    @Transactional
    public DbGroup ensureDefault(String organizationId) {
        return groups.findLive(organizationId, DEFAULT_GROUP).orElseGet(() -> {
            DbGroup created = aggregates.insert(new DbGroup(Ids.newId(), organizationId, DEFAULT_GROUP,
                    locations.defaultLocation(), false, Ids.now(), null, ""));
            events.publishEvent(new GroupCreated(created.id(), organizationId));
            return created;
        });
    }

    @Transactional
    public DbGroup setDeleteProtection(Organization org, String name, Boolean deleteProtection) {
        DbGroup group = get(org, name);
        if (deleteProtection != null) {
            groups.updateDeleteProtection(group.id(), deleteProtection);
        }
        return groups.findById(group.id()).orElseThrow();
    }

    /**
     * Adds a location to the group (reference §4.3, deprecated edge replicas): 400 {@code invalid location: X}
     * for an unknown code, 402 past the plan's location count. Databases stay on their primary; the location is
     * listed in {@code locations}.
     */
    @Transactional
    public DbGroup addLocation(Organization org, String name, String location) {
        organizations.lock(org.id());
        DbGroup group = get(org, name);
        if (!locations.exists(location)) {
            throw ApiError.LOCATION_INVALID.exception("invalid location: " + location);
        }
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(GroupView.locations(group));
        if (all.add(location)) {
            if (QuotaPolicy.mayUseLocations(organizations.plan(org), all.size()) instanceof QuotaDecision.Denied d) {
                throw ApiError.forQuotaCode(d.code()).exception(d.message());
            }
            all.remove(group.primaryLocation());
            groups.updateExtraLocations(group.id(), String.join(",", all));
        }
        return groups.findById(group.id()).orElseThrow();
    }

    /** 400 {@code invalid location: X} for an unknown code; the primary location cannot be removed. */
    @Transactional
    public DbGroup removeLocation(Organization org, String name, String location) {
        DbGroup group = get(org, name);
        if (!locations.exists(location)) {
            throw ApiError.LOCATION_INVALID.exception("invalid location: " + location);
        }
        if (location.equals(group.primaryLocation())) {
            throw ApiError.BAD_REQUEST.exception("cannot remove the primary location " + location + " of group " + name);
        }
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(GroupView.locations(group));
        all.remove(group.primaryLocation());
        if (all.remove(location)) {
            groups.updateExtraLocations(group.id(), String.join(",", all));
        }
        return groups.findById(group.id()).orElseThrow();
    }

    /**
     * {@code POST .../groups/{g}/rename} (CLI {@code group rename}): 404 unknown group, 400 invalid new name, 409
     * when a live group of the organization already has it. Databases keep their names and hostnames
     * ({@code <db>-<org>}: the group is not part of them), so workers need nothing.
     */
    @Transactional
    public DbGroup rename(Organization org, String name, String newName) {
        organizations.lock(org.id());
        DbGroup group = get(org, name);
        Names.requireValid("group", newName);
        if (newName.equals(group.name())) {
            return group;
        }
        if (groups.findLive(org.id(), newName).isPresent()) {
            throw ApiError.GROUP_EXISTS.exception("group already exists");
        }
        groups.rename(group.id(), newName);
        return groups.findById(group.id()).orElseThrow();
    }

    /**
     * {@code POST .../groups/{g}/transfer}: moves the group and its databases from {@code from} to {@code to} in
     * ONE transaction holding both organizations' quota locks (taken in id order, so two opposite transfers cannot
     * deadlock). 400 same organization; 404 unknown group; 409 the target has a group of that name (or, from the
     * {@link GroupTransferred} listener, a database of the same name); 402 past the target plan's group, location or
     * database count. Database hostnames follow the new organization: the listener bumps each database's
     * configuration version and the reconciler pushes the new organization to its worker, which re-indexes the
     * {@code <db>-<org>} label. Keys stay: tokens minted before the transfer keep working (rotate to end them).
     */
    @Transactional
    public DbGroup transfer(Organization from, String name, Organization to) {
        if (from.id().equals(to.id())) {
            throw ApiError.BAD_REQUEST.exception("group " + name + " already belongs to organization " + to.slug());
        }
        boolean fromFirst = from.id().compareTo(to.id()) < 0;
        organizations.lock(fromFirst ? from.id() : to.id());
        organizations.lock(fromFirst ? to.id() : from.id());
        DbGroup group = get(from, name);
        if (groups.findLive(to.id(), group.name()).isPresent()) {
            throw ApiError.GROUP_EXISTS.exception("group already exists in organization " + to.slug());
        }
        dev.libsqlplatform.quotas.Plan plan = organizations.plan(to);
        if (QuotaPolicy.mayCreateGroup(plan, groups.countLive(to.id())) instanceof QuotaDecision.Denied d) {
            throw ApiError.forQuotaCode(d.code()).exception(d.message() + " in organization " + to.slug());
        }
        if (QuotaPolicy.mayUseLocations(plan, GroupView.locations(group).size()) instanceof QuotaDecision.Denied d) {
            throw ApiError.forQuotaCode(d.code()).exception(d.message() + " in organization " + to.slug());
        }
        groups.moveToOrganization(group.id(), to.id());
        events.publishEvent(new GroupTransferred(group.id(), from.id(), to.id()));
        return groups.findById(group.id()).orElseThrow();
    }

    /** Deleting an organization deletes its groups, and so its databases, in the same transaction. */
    /** Every organization has a {@code default} group from its first moment (same transaction). */
    @org.springframework.context.event.EventListener
    void onOrganizationCreated(dev.libsqlplatform.controlplane.organization.OrganizationCreated event) {
        ensureDefault(event.organizationId());
    }

    @org.springframework.context.event.EventListener
    void onOrganizationDeleted(dev.libsqlplatform.controlplane.organization.OrganizationDeleted event) {
        for (DbGroup group : groups.findLiveByOrganization(event.organizationId())) {
            groups.markDeleted(group.id(), Ids.now());
            events.publishEvent(new GroupDeleted(group.id(), event.organizationId()));
        }
    }

    @Transactional
    public DbGroup delete(Organization org, String name) {
        organizations.lock(org.id());
        DbGroup group = get(org, name);
        if (group.deleteProtection()) {
            throw ApiError.DELETE_PROTECTED.exception("group " + name + " has delete protection enabled");
        }
        groups.markDeleted(group.id(), Ids.now());
        events.publishEvent(new GroupDeleted(group.id(), org.id()));
        return group;
    }
}
