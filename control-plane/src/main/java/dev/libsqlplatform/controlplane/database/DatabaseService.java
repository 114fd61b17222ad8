package dev.libsqlplatform.controlplane.database;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.group.DbGroup;
import dev.libsqlplatform.controlplane.group.GroupDeleted;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.group.GroupTransferred;
import dev.libsqlplatform.controlplane.organization.Names;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ApiException;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import dev.libsqlplatform.quotas.Plan;
import dev.libsqlplatform.quotas.QuotaDecision;
import dev.libsqlplatform.quotas.QuotaPolicy;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class DatabaseService {

    private static final Logger log = LoggerFactory.getLogger(DatabaseService.class);

    private final DatabaseRepository databases;
    private final OrganizationService organizations;
    private final GroupService groups;
    private final JdbcAggregateTemplate aggregates;
    private final ApplicationEventPublisher events;
    private final PlatformProperties properties;
    private final JsonMapper json;
    private final WorkerService workers;
    private final DatabaseReads reads;

    DatabaseService(DatabaseRepository databases, OrganizationService organizations, GroupService groups,
                    JdbcAggregateTemplate aggregates, ApplicationEventPublisher events,
                    PlatformProperties properties, JsonMapper json, WorkerService workers, DatabaseReads reads) {
        this.reads = reads;
        this.json = json;
        this.workers = workers;
        this.databases = databases;
        this.organizations = organizations;
        this.groups = groups;
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
        return create(org, name, groupName, null);
    }

    /**
     * {@code sizeLimit}: a {@link SizeLimit} string or number, null for the plan's storage. {@code seed}: any value
     * but null is refused before anything is created (there is no branching, dump restore or point-in-time copy yet;
     * answering with an empty database would look like success and lose the user's data).
     */
    @Transactional
    public Database create(Organization org, String name, String groupName, Object sizeLimit, Object seed) {
        if (seed != null) {
            throw ApiError.SEED_NOT_SUPPORTED.exception("seed is not supported: databases cannot be created from "
                    + "another database, a dump or a point in time on this platform yet; create the database without "
                    + "a seed and load the data with SQL");
        }
        return create(org, name, groupName, sizeLimit);
    }

    /** {@code sizeLimit}: a {@link SizeLimit} string or number, null for the plan's storage. */
    @Transactional
    public Database create(Organization org, String name, String groupName, Object sizeLimit) {
        Long limit = sizeLimit == null || sizeLimit.toString().isBlank() ? null : SizeLimit.parse(sizeLimit.toString());
        Names.requireValidDatabaseName(name, org.slug());
        organizations.lock(org.id());
        DbGroup group = groups.forNewDatabase(org, groupName == null || groupName.isBlank() ? GroupService.DEFAULT_GROUP : groupName);
        if (databases.findLive(org.id(), name).isPresent()) {
            throw ApiError.DATABASE_EXISTS.exception("database with name " + name + " already exists");
        }
        String label = Database.label(name, org.slug());
        requireFreeLabel(label, null);
        Plan plan = organizations.plan(org);
        if (QuotaPolicy.mayCreateDatabase(plan, databases.countLive(org.id())) instanceof QuotaDecision.Denied d) {
            throw ApiError.forQuotaCode(d.code()).exception(d.message());
        }
        long now = Ids.now();
        Database db;
        try {
            db = aggregates.insert(new Database(Ids.newId(), org.id(), group.id(), name, Database.PROVISIONING,
                    null, maxBytes(plan, limit), false, false, false, 1, 0, now, now, null, null, limit, "[]", "[]",
                    label, org.blockedReads(), org.blockedWrites(),
                    org.blockedReads() || org.blockedWrites() ? org.blockReason() : null, null));
        } catch (DataIntegrityViolationException e) {
            // the organization lock serialises creates of ONE organization only: a concurrent create in another
            // organization with the same label got past requireFreeLabel too, and the unique index decided
            throw hostnameTaken(label);
        }
        // listeners create what the database needs (its signing key, dbtoken) in this transaction
        events.publishEvent(new DatabaseEvents.Created(db.id()));
        log.info("database {} ({}/{}) created: provisioning", db.id(), org.slug(), name);
        return db;
    }

    public Database get(Organization org, String name) {
        return databases.findLive(org.id(), name).orElseThrow(() -> ApiError.DATABASE_NOT_FOUND.exception(
                "could not find database with name " + name + ": record not found"));
    }

    /** Any database row by id, live or deleting (usage reports may name a database being removed). */
    public java.util.Optional<Database> byId(String databaseId) {
        return databases.findById(databaseId);
    }

    /** The live database with this id (any organization): for the workers' route questions. */
    public java.util.Optional<Database> liveById(String databaseId) {
        return databases.findLiveById(databaseId);
    }

    /** Every database row (live or deleting) placed on {@code workerId}: the copies that worker should hold. */
    public List<String> idsOnWorker(String workerId) {
        return databases.findIdsOnWorker(workerId);
    }

    /** Ready databases placed on {@code workerId}, oldest first: what a drain still has to move. */
    public List<String> readyIdsOnWorker(String workerId) {
        return databases.findReadyIdsOnWorker(workerId);
    }

    /**
     * A drain's route switch ({@link DatabaseRepository#switchWorker}): true when this call moved the database from
     * {@code source} to {@code target}, which acknowledged configuration {@code version}.
     */
    @Transactional
    public boolean switchWorker(String id, String source, String target, long version) {
        return databases.switchWorker(id, source, target, version, Ids.now()) == 1;
    }

    /** The live database holding hostname label {@code label} (any organization). */
    public java.util.Optional<Database> liveByLabel(String label) {
        return databases.findLiveByLabel(label);
    }

    public java.util.Optional<Database> find(Organization org, String name) {
        return databases.findLive(org.id(), name);
    }

    public DatabaseView view(Organization org, String name) {
        DatabaseReads.Found found = reads.oneWithReplication(org.id(), name).orElseThrow(() -> ApiError.DATABASE_NOT_FOUND
                .exception("could not find database with name " + name + ": record not found"));
        return toView(org, found.row()).withReplication(found.replication());
    }

    /** All live databases of the organization, optionally only those of one group (unknown group → empty). */
    public List<DatabaseView> list(Organization org, String groupFilter) {
        return page(org, groupFilter, null, 0).databases();
    }

    /** Largest page {@link #page} gives. */
    public static final int MAX_PAGE = 1000;

    /** One page of {@link #list}: up to {@code limit} databases after {@code cursor}, and the next page's cursor. */
    public record Page(List<DatabaseView> databases, String nextCursor) {
    }

    /**
     * Databases in name order after {@code cursor} (the previous page's {@code next_cursor}; null: from the start),
     * {@code limit} 1..{@link #MAX_PAGE}, 0 = all (what clients that do not paginate get). {@code nextCursor} is null
     * on the last page.
     */
    public Page page(Organization org, String groupFilter, String cursor, int limit) {
        if (limit < 0 || limit > MAX_PAGE) {
            throw ApiError.BAD_REQUEST.exception("limit must be between 1 and " + MAX_PAGE);
        }
        String group = groupFilter == null || groupFilter.isBlank() ? null : groupFilter;
        List<DatabaseReads.Row> rows = reads.page(org.id(), group, cursor == null || cursor.isEmpty() ? null : cursor,
                limit == 0 ? 0 : limit + 1);
        String next = null;
        if (limit > 0 && rows.size() > limit) {
            rows = rows.subList(0, limit);
            next = rows.get(limit - 1).name();
        }
        return new Page(rows.stream().map(r -> toView(org, r)).toList(), next);
    }

    private DatabaseView toView(Organization org, DatabaseReads.Row r) {
        return DatabaseView.of(r, hostname(org, r.name()), r.groupName() != null ? r.groupName() : GroupService.DEFAULT_GROUP,
                r.primaryLocation() != null ? r.primaryLocation() : properties.defaultLocation());
    }

    /** Marks the database deleting (invisible at once, name reusable); the reconciler removes it from its worker. */
    @Transactional
    public Database delete(Organization org, String name) {
        Database db = get(org, name);
        if (db.deleteProtection()) {
            throw ApiError.DELETE_PROTECTED.exception("database " + name
                    + " is delete protected: disable delete_protection in its configuration first");
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

    /**
     * A group moved to another organization (in the transfer transaction, both organizations locked): its live
     * databases follow. 400 when {@code <db>-<target>} would not fit one DNS label, 409 when the target already has
     * a database of the same name, 402 past the target plan's database count; any of these rolls the transfer back.
     * Each moved database gets the target plan's storage cap and a new configuration version, so the reconciler
     * pushes the new organization (hence hostname) to its worker.
     */
    @EventListener
    void onGroupTransferred(GroupTransferred event) {
        Organization from = organizations.byId(event.fromOrganizationId()).orElseThrow();
        Organization to = organizations.byId(event.toOrganizationId()).orElseThrow();
        List<Database> moving = databases.findLiveByGroup(from.id(), event.groupId());
        if (moving.isEmpty()) {
            return;
        }
        for (Database db : moving) {
            Names.requireValidDatabaseName(db.name(), to.slug());
            if (databases.findLive(to.id(), db.name()).isPresent()) {
                throw ApiError.DATABASE_EXISTS.exception("database with name " + db.name()
                        + " already exists in organization " + to.slug());
            }
            requireFreeLabel(Database.label(db.name(), to.slug()), db.id());
        }
        Plan plan = organizations.plan(to);
        if (QuotaPolicy.mayCreateDatabase(plan, databases.countLive(to.id()) + moving.size() - 1)
                instanceof QuotaDecision.Denied d) {
            throw ApiError.forQuotaCode(d.code()).exception(d.message() + " in organization " + to.slug());
        }
        long now = Ids.now();
        for (Database db : moving) {
            String label = Database.label(db.name(), to.slug());
            try {
                databases.moveToOrganization(db.id(), to.id(), label, maxBytes(plan, db.sizeLimit()), now);
            } catch (DataIntegrityViolationException e) {
                throw hostnameTaken(label); // a concurrent create in a third organization took it meanwhile
            }
            events.publishEvent(new DatabaseEvents.ConfigChanged(db.id()));
        }
        // both organizations' storage changed, so every cap of both: the quota enforcer recomputes them in full
        // (ConfigChanged alone recomputes only the database it names)
        events.publishEvent(new dev.libsqlplatform.controlplane.organization.OrganizationQuotaChanged(from.id()));
        events.publishEvent(new dev.libsqlplatform.controlplane.organization.OrganizationQuotaChanged(to.id()));
        log.info("group {} transferred from {} to {}: {} database(s) follow", event.groupId(), from.slug(), to.slug(),
                moving.size());
    }

    /** 409 when a live database other than {@code exceptId} holds {@code label}, in any organization. */
    private void requireFreeLabel(String label, String exceptId) {
        databases.findLiveByLabel(label).filter(holder -> !holder.id().equals(exceptId)).ifPresent(holder -> {
            throw hostnameTaken(label);
        });
    }

    /** Never names the organization holding the label: that would tell one tenant about another. */
    private ApiException hostnameTaken(String label) {
        return ApiError.HOSTNAME_TAKEN.exception("hostname " + label + "." + properties.baseDomain()
                + " is already used by a database of another organization (hostnames are <database>-<organization> "
                + "and unique across organizations): choose another database name");
    }

    /** Keys or limits changed: the worker must receive them again. Joins the caller's transaction. */
    @Transactional
    public void configChanged(String databaseId) {
        databases.bumpConfigVersion(databaseId, Ids.now());
        events.publishEvent(new DatabaseEvents.ConfigChanged(databaseId));
    }

    /**
     * The quota enforcer's decision for one database; true when it changed and the worker must receive it again (the
     * reconciler pushes it within a reconcile interval). Joins the caller's transaction.
     */
    @Transactional
    public boolean applyQuota(String databaseId, long maxBytes, boolean blockReads, boolean blockWrites, String reason,
                              String storageReason) {
        if (databases.updateQuota(databaseId, maxBytes, blockReads, blockWrites, reason, storageReason, Ids.now()) == 0) {
            return false;
        }
        events.publishEvent(new DatabaseEvents.ConfigChanged(databaseId));
        return true;
    }

    /** Live databases of the organization, as rows (for the quota enforcer). */
    public List<Database> all(String organizationId) {
        return databases.findLiveByOrganization(organizationId);
    }

    /** What the quota enforcer reads of a live database: its limit and the quota values it holds. */
    public record QuotaRow(String id, Long sizeLimit, long maxBytes, boolean quotaBlockReads, boolean quotaBlockWrites,
                           String quotaReason, String storageReason) {
    }

    /** {@link QuotaRow}s of every live database of the organization (one hand-written query, no entity mapping). */
    public List<QuotaRow> quotaRows(String organizationId) {
        return reads.quotaRows(organizationId);
    }

    /** The {@link QuotaRow} of live database {@code databaseId} of the organization. */
    public Optional<QuotaRow> quotaRow(String organizationId, String databaseId) {
        return reads.quotaRow(organizationId, databaseId);
    }

    /** Sum of the latest storage readings of the organization's live databases. */
    public long liveStorageBytes(String organizationId) {
        return reads.liveStorageBytes(organizationId);
    }

    static long maxBytes(Plan plan, Long sizeLimit) {
        return sizeLimit == null ? plan.storageBytes() : Math.min(sizeLimit, plan.storageBytes());
    }

    public DatabaseConfiguration configuration(Organization org, String name) {
        return configuration(get(org, name));
    }

    private DatabaseConfiguration configuration(Database db) {
        return new DatabaseConfiguration(db.sizeLimit() == null ? "0" : Long.toString(db.sizeLimit()), false,
                db.blockReads(), db.blockWrites(), db.deleteProtection(), stringList(db.allowedIps()),
                stringList(db.allowedAwsVpcIds()));
    }

    /**
     * PATCH semantics of reference §4.4: a key absent or null leaves {@code size_limit}, {@code block_reads},
     * {@code block_writes}, {@code delete_protection} unchanged; {@code allowed_ips}/{@code allowed_aws_vpc_ids}:
     * absent = unchanged, null or [] = cleared. {@code allow_attach: true} is refused (ATTACH is never allowed
     * here). Any change bumps the configuration version, so the worker receives limits and blocks within a
     * reconcile interval.
     */
    @Transactional
    public DatabaseConfiguration configure(Organization org, String name, Map<String, Object> body) {
        Database db = get(org, name);
        JsonNode patch = body == null ? null : json.valueToTree(body);
        if (patch != null && !patch.isNull() && !patch.isObject()) {
            throw ApiError.BAD_REQUEST.exception("configuration must be a JSON object");
        }
        JsonNode p = patch == null || patch.isNull() ? json.createObjectNode() : patch;
        JsonNode attach = p.get("allow_attach");
        if (attach != null && !attach.isNull()) {
            if (!attach.isBoolean()) {
                throw ApiError.BAD_REQUEST.exception("allow_attach must be a boolean");
            }
            if (attach.asBoolean()) {
                throw ApiError.ATTACH_NOT_SUPPORTED.exception("ATTACH is not supported on this platform: databases "
                        + "cannot attach other databases, so allow_attach cannot be enabled");
            }
        }
        Long sizeLimit = db.sizeLimit();
        JsonNode size = p.get("size_limit");
        if (size != null && !size.isNull()) {
            String text = size.isNumber() ? Long.toString(size.asLong()) : size.asString();
            sizeLimit = "0".equals(text.trim()) ? null : SizeLimit.parse(text);
        }
        boolean blockReads = bool(p, "block_reads", db.blockReads());
        boolean blockWrites = bool(p, "block_writes", db.blockWrites());
        boolean deleteProtection = bool(p, "delete_protection", db.deleteProtection());
        String ips = list(p, "allowed_ips", db.allowedIps());
        AllowedIps.requireValid(stringList(ips));
        String vpcs = list(p, "allowed_aws_vpc_ids", db.allowedAwsVpcIds());
        long cap = maxBytes(organizations.plan(org), sizeLimit);
        if (db.storageReason() != null) {
            // what the organization's storage leaves this database stays the cap until the quota enforcer, told by
            // the ConfigChanged event, recomputes it (within platform.quotas.enforce-interval)
            cap = Math.min(cap, db.maxBytes());
        }
        databases.updateConfiguration(db.id(), sizeLimit, cap, blockReads,
                blockWrites, deleteProtection, ips, vpcs, Ids.now());
        events.publishEvent(new DatabaseEvents.ConfigChanged(db.id()));
        return configuration(databases.findById(db.id()).orElseThrow());
    }

    public List<InstanceView> instances(Organization org, String name) {
        Database db = get(org, name);
        DatabaseView view = view(org, name);
        return List.of(new InstanceView(java.util.UUID.nameUUIDFromBytes(("instance:" + db.id())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(), view.primaryRegion(), "primary",
                view.primaryRegion(), view.hostname(), view.workerStatus()));
    }

    public InstanceView instance(Organization org, String name, String instanceName) {
        return instances(org, name).stream().filter(i -> i.name().equals(instanceName) || i.uuid().equals(instanceName))
                .findFirst().orElseThrow(() -> ApiError.INSTANCE_NOT_FOUND.exception("instance " + instanceName
                        + " not found for database " + name));
    }

    private static boolean bool(JsonNode patch, String key, boolean current) {
        JsonNode v = patch.get(key);
        if (v == null || v.isNull()) {
            return current;
        }
        if (!v.isBoolean()) {
            throw ApiError.BAD_REQUEST.exception(key + " must be a boolean");
        }
        return v.asBoolean();
    }

    private String list(JsonNode patch, String key, String current) {
        if (!patch.has(key)) {
            return current;
        }
        JsonNode v = patch.get(key);
        if (v == null || v.isNull()) {
            return "[]";
        }
        if (!v.isArray()) {
            throw ApiError.BAD_REQUEST.exception(key + " must be an array of strings");
        }
        List<String> values = new java.util.ArrayList<>();
        for (JsonNode item : v) {
            if (!item.isString() || item.asString().isBlank()) {
                throw ApiError.BAD_REQUEST.exception(key + " must be an array of strings");
            }
            values.add(item.asString().trim());
        }
        return json.writeValueAsString(values);
    }

    private List<String> stringList(String stored) {
        if (stored == null || stored.isBlank()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        json.readTree(stored).forEach(n -> out.add(n.asString()));
        return out;
    }

    /** Live databases of one group. */
    public List<Database> inGroup(Organization org, String groupId) {
        return databases.findLiveByGroup(org.id(), groupId);
    }

    /** One page of a list: {@code items} and the number of matches over all pages. */
    public record DatabasePage(List<DatabaseView> items, long total) {
    }

    /**
     * One page of the organization's live databases whose name contains {@code search} (case-insensitive; blank: all),
     * ordered by name: four queries (groups, count, page, workers) whatever the organization's size, for the dashboard list.
     */
    public DatabasePage page(Organization org, String search, int offset, int limit) {
        String term = search == null ? "" : search.trim().toLowerCase(java.util.Locale.ROOT);
        String pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        Map<String, DbGroup> byId = groups.list(org).stream().collect(Collectors.toMap(DbGroup::id, Function.identity()));
        long total = databases.countLiveMatching(org.id(), pattern);
        List<Database> rows = databases.findLivePage(org.id(), pattern, Math.max(1, limit), Math.max(0, offset));
        Map<String, Worker> workersById = rows.isEmpty() ? Map.of() : workers.byId();
        List<DatabaseView> items = rows.stream().map(db -> toView(org, db, byId, workersById)).toList();
        return new DatabasePage(items, total);
    }

    /** Databases placed on worker {@code workerId} (the dashboard's workers page). */
    public long countOnWorker(String workerId) {
        return databases.countByWorker(workerId);
    }

    public List<Database> all(Organization org) {
        return databases.findLiveByOrganization(org.id());
    }

    public String hostname(Organization org, String name) {
        return Database.label(name, org.slug()) + "." + properties.baseDomain();
    }

    private DatabaseView toView(Organization org, Database db, Map<String, DbGroup> groupsById,
                                Map<String, Worker> workersById) {
        DbGroup g = groupsById.get(db.groupId());
        String groupName = g != null ? g.name() : GroupService.DEFAULT_GROUP;
        String location = g != null ? g.primaryLocation() : properties.defaultLocation();
        Worker w = db.workerId() == null ? null : workersById.get(db.workerId());
        return DatabaseView.of(db, hostname(org, db.name()), groupName, location, w == null ? null : w.apiStatus());
    }
}
