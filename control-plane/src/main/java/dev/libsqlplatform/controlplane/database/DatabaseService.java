package dev.libsqlplatform.controlplane.database;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseKeys;
import dev.libsqlplatform.controlplane.group.DbGroup;
import dev.libsqlplatform.controlplane.group.GroupDeleted;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.group.Names;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.quotas.Plan;
import dev.libsqlplatform.quotas.QuotaDecision;
import dev.libsqlplatform.quotas.QuotaPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class DatabaseService {

    private static final Logger log = LoggerFactory.getLogger(DatabaseService.class);

    private final DatabaseRepository databases;
    private final OrganizationService organizations;
    private final GroupService groups;
    private final DatabaseKeys keys;
    private final JdbcAggregateTemplate aggregates;
    private final ApplicationEventPublisher events;
    private final PlatformProperties properties;

    DatabaseService(DatabaseRepository databases, OrganizationService organizations, GroupService groups,
                    DatabaseKeys keys, JdbcAggregateTemplate aggregates, ApplicationEventPublisher events,
                    PlatformProperties properties) {
        this.databases = databases;
        this.organizations = organizations;
        this.groups = groups;
        this.keys = keys;
        this.aggregates = aggregates;
        this.events = events;
        this.properties = properties;
    }

    /**
     * Creates a database in ONE transaction: organization lock first, then group lookup, live count, quota,
     * name check, insert (provisioning) and key pair. Concurrent creates of one organization are serialised by
     * the lock, so the plan's database limit can never be exceeded. The {@link DatabaseEvents.Created} event
     * makes the placement try to place it right after commit.
     */
    @Transactional
    public Database create(Organization org, String name, String groupName) {
        Names.requireValidDatabaseName(name, org.slug());
        organizations.lock(org.id());
        DbGroup group = groups.forNewDatabase(org, groupName == null || groupName.isBlank() ? GroupService.DEFAULT_GROUP : groupName);
        if (databases.findLive(org.id(), name).isPresent()) {
            throw ApiError.DATABASE_EXISTS.exception("database with name " + name + " already exists");
        }
        Plan plan = organizations.plan(org);
        if (QuotaPolicy.mayCreateDatabase(plan, databases.countLive(org.id())) instanceof QuotaDecision.Denied d) {
            throw ApiError.forQuotaCode(d.code()).exception(d.message());
        }
        long now = Ids.now();
        Database db = aggregates.insert(new Database(Ids.newId(), org.id(), group.id(), name, Database.PROVISIONING,
                null, plan.storageBytes(), false, false, false, 1, 0, now, now, null, null));
        keys.create(db.id());
        events.publishEvent(new DatabaseEvents.Created(db.id()));
        log.info("database {} ({}/{}) created: provisioning", db.id(), org.slug(), name);
        return db;
    }

    public Database get(Organization org, String name) {
        return databases.findLive(org.id(), name).orElseThrow(() -> ApiError.DATABASE_NOT_FOUND.exception(
                "could not find database with name " + name + ": record not found"));
    }

    public DatabaseView view(Organization org, String name) {
        Database db = get(org, name);
        return toView(org, db, Map.of(db.groupId(), groups.list(org).stream()
                .filter(g -> g.id().equals(db.groupId())).findFirst()
                .orElseGet(() -> new DbGroup(db.groupId(), org.id(), "default", properties.defaultLocation(), false, 0, null))));
    }

    /** All live databases of the organization, optionally only those of one group (unknown group → empty). */
    public List<DatabaseView> list(Organization org, String groupFilter) {
        Map<String, DbGroup> byId = groups.list(org).stream().collect(Collectors.toMap(DbGroup::id, Function.identity()));
        List<Database> rows;
        if (groupFilter != null && !groupFilter.isBlank()) {
            DbGroup g = byId.values().stream().filter(x -> x.name().equals(groupFilter)).findFirst().orElse(null);
            rows = g == null ? List.of() : databases.findLiveByGroup(org.id(), g.id());
        } else {
            rows = databases.findLiveByOrganization(org.id());
        }
        return rows.stream().map(db -> toView(org, db, byId)).toList();
    }

    /** Marks the database deleting (invisible at once, name reusable); the reconciler removes it from its worker. */
    @Transactional
    public Database delete(Organization org, String name) {
        Database db = get(org, name);
        if (db.deleteProtection()) {
            throw ApiError.DELETE_PROTECTED.exception("database " + name + " has delete protection enabled");
        }
        databases.markDeleting(db.id(), Ids.now());
        events.publishEvent(new DatabaseEvents.Deleted(db.id()));
        log.info("database {} ({}/{}) {} → deleting", db.id(), org.slug(), name, db.state());
        return db;
    }

    /** Deleting a group deletes its databases, in the group-delete transaction. */
    @EventListener
    void onGroupDeleted(GroupDeleted event) {
        int n = databases.markDeletingByGroup(event.groupId(), Ids.now());
        if (n > 0) {
            log.info("group {} deleted: {} database(s) → deleting", event.groupId(), n);
            events.publishEvent(new DatabaseEvents.Deleted(null));
        }
    }

    /** Keys or limits changed: the worker must receive them again. Joins the caller's transaction. */
    @Transactional
    public void configChanged(String databaseId) {
        databases.bumpConfigVersion(databaseId, Ids.now());
        events.publishEvent(new DatabaseEvents.ConfigChanged(databaseId));
    }

    public String hostname(Organization org, String name) {
        return name + "-" + org.slug() + "." + properties.baseDomain();
    }

    private DatabaseView toView(Organization org, Database db, Map<String, DbGroup> groupsById) {
        DbGroup g = groupsById.get(db.groupId());
        String groupName = g != null ? g.name() : GroupService.DEFAULT_GROUP;
        String location = g != null ? g.primaryLocation() : properties.defaultLocation();
        return DatabaseView.of(db, hostname(org, db.name()), groupName, location);
    }
}
