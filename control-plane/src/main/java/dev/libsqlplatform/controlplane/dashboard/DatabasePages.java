package dev.libsqlplatform.controlplane.dashboard;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.database.DatabaseView;
import dev.libsqlplatform.controlplane.database.ReplicationView;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseTokenService;
import dev.libsqlplatform.controlplane.group.DbGroup;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.usage.UsageService;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ApiException;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.springframework.stereotype.Service;

/** The databases pages: the searchable list, the create form, the detail page and delete. */
@Service
class DatabasePages {

    private final DatabaseService databases;
    private final GroupService groups;
    private final UsageService usage;
    private final WorkerService workers;
    private final DatabaseTokenService tokens;
    private final DashboardProperties properties;
    private final Audit audit;

    DatabasePages(DatabaseService databases, GroupService groups, UsageService usage, WorkerService workers,
                  DatabaseTokenService tokens, DashboardProperties properties, Audit audit) {
        this.audit = audit;
        this.databases = databases;
        this.groups = groups;
        this.usage = usage;
        this.workers = workers;
        this.tokens = tokens;
        this.properties = properties;
    }

    /** {@code page} is 1-based; past the last page shows the last one. */
    record ListPage(List<DatabaseView> items, long total, int page, int pages, String search) {
        public boolean hasPrevious() {
            return page > 1;
        }

        public boolean hasNext() {
            return page < pages;
        }
    }

    ListPage list(Shell shell, String search, int page) {
        int size = properties.pageSize();
        DatabaseService.DatabasePage first = databases.page(shell.org(), search, (Math.max(1, page) - 1) * size, size);
        int pages = (int) Math.max(1, (first.total() + size - 1) / size);
        if (page > pages) {
            // a search that narrowed the list: show its last page rather than an empty one
            return list(shell, search, pages);
        }
        return new ListPage(first.items(), first.total(), Math.max(1, page), pages, search == null ? "" : search.trim());
    }

    List<String> groupNames(Shell shell) {
        return groups.list(shell.org()).stream().map(DbGroup::name).sorted().toList();
    }

    /** The create form's fields and, after a refused create, the message beside the field it concerns. */
    record CreateForm(String name, String group, String sizeLimit, Map<String, String> errors) {
        static CreateForm empty() {
            return new CreateForm("", "default", "", Map.of());
        }

        public String error(String field) {
            return errors.get(field);
        }
    }

    /** The created database's name, or the form again with the refusal placed beside its field. */
    Optional<CreateForm> create(Shell shell, CreateForm form) {
        try {
            String name = form.name() == null ? null : form.name().trim();
            databases.create(shell.org(), name, form.group(),
                    form.sizeLimit() == null || form.sizeLimit().isBlank() ? null : form.sizeLimit().trim());
            audit.record(shell, "db-create", "created a database", Map.of("name", name,
                    "group", form.group() == null || form.group().isBlank() ? "default" : form.group()));
            return Optional.empty();
        } catch (ApiException e) {
            String field = switch (e.error()) {
                case NAME_INVALID, DATABASE_EXISTS, HOSTNAME_TAKEN -> "name";
                case UNKNOWN_GROUP, GROUP_NOT_FOUND -> "group";
                case SIZE_LIMIT_INVALID -> "sizeLimit";
                default -> "form";
            };
            return Optional.of(new CreateForm(form.name(), form.group(), form.sizeLimit(), Map.of(field, e.getMessage())));
        }
    }

    /** What the detail page shows about one database. */
    record Detail(DatabaseView view, Database row, String url, String state, String stateDetail, String size,
                  Worker worker, boolean workerLive, String workerSeen, List<DatabaseTokenService.TokenInfo> tokens,
                  String clientSnippet, String replicaSnippet, Replication replication) {
    }

    /** The replication section: null when the worker has not reported the database's frame log yet. */
    record Replication(long index, String logId, String lastCommit, String reported, List<ReplicaRow> replicas) {
    }

    /** One replica: its lag in frames behind the reported replication index ("unknown" before its first pull). */
    record ReplicaRow(String replica, String lastSync, String frame, String lag) {
    }

    private static Replication replication(ReplicationView r) {
        if (r == null) {
            return null;
        }
        return new Replication(r.replicationIndex(), r.logId(),
                r.lastCommitAt() == null ? "none yet" : Format.time(Instant.parse(r.lastCommitAt())),
                Format.time(Instant.parse(r.reportedAt())),
                r.replicas().stream().map(p -> new ReplicaRow(p.replica(), Format.time(Instant.parse(p.lastSyncAt())),
                        p.frameNo() == null ? "not pulled yet" : Format.count(p.frameNo()),
                        p.lagFrames() == null ? "unknown" : p.lagFrames() == 0 ? "up to date"
                                : Format.count(p.lagFrames()) + " frames")).toList());
    }

    Detail detail(Shell shell, String name) {
        DatabaseView view = databases.view(shell.org(), name);
        Database row = databases.get(shell.org(), name);
        UsageTotals month = usage.database(row, MonthlyWindow.of(YearMonth.now(ZoneOffset.UTC)));
        Optional<Worker> worker = row.workerId() == null ? Optional.empty() : workers.find(row.workerId());
        boolean live = worker.map(workers::isLive).orElse(false);
        String state;
        String stateDetail;
        if (Database.PROVISIONING.equals(row.state())) {
            state = "provisioning";
            stateDetail = worker.isEmpty() ? "waiting for a worker" : "being created on its worker";
        } else if (worker.isPresent() && !live) {
            state = "worker down";
            stateDetail = "its worker has not reported since " + Format.time(worker.get().lastSeen());
        } else if (row.blockReads() || row.blockWrites()) {
            state = "blocked";
            stateDetail = row.blockReads() && row.blockWrites() ? "reads and writes are refused"
                    : row.blockWrites() ? "writes are refused" : "reads are refused";
        } else {
            state = row.state();
            stateDetail = row.lastError() == null ? "" : row.lastError();
        }
        String url = "libsql://" + view.hostname();
        String client = """
                import { createClient } from "@libsql/client";

                const client = createClient({
                  url: "%s",
                  authToken: process.env.DATABASE_TOKEN,
                });
                const rs = await client.execute("SELECT 1");""".formatted(url);
        String replica = """
                import { createClient } from "@libsql/client";

                // an embedded replica: reads from local.db, writes go to the primary, sync() pulls its changes
                const client = createClient({
                  url: "file:local.db",
                  syncUrl: "%s",
                  authToken: process.env.DATABASE_TOKEN,
                  syncInterval: 60,
                });
                await client.sync();""".formatted(url);
        return new Detail(view, row, url, state, stateDetail, Format.bytes(month.storageBytes()), worker.orElse(null),
                live, worker.map(w -> Format.time(w.lastSeen())).orElse(""), TokenPages.unexpired(tokens.list(shell.org(), name)),
                client, replica, replication(view.replication()));
    }

    /** Deletes after the name was typed again; delete protection is the service's to refuse. */
    void delete(Shell shell, String name, String confirmation) {
        if (confirmation == null || !confirmation.trim().equals(name)) {
            throw ApiError.BAD_REQUEST.exception("type the database name " + name + " to confirm its deletion");
        }
        databases.delete(shell.org(), name);
        audit.record(shell, "db-delete", "deleted database " + name, Map.of("db", name));
    }
}
