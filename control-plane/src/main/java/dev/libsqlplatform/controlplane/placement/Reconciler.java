package dev.libsqlplatform.controlplane.placement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseRepository;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseKeys;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.controlplane.dbtoken.WorkerKeySet;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Drives every database toward its desired state. Each step is idempotent and guarded by a conditional UPDATE,
 * so concurrent runs (the periodic loop and the inline attempt after a create) never place a database twice:
 * <ul>
 *   <li>provisioning: choose the least loaded live, non-draining worker ({@link Placement}; once:
 *       {@code worker_id IS NULL}),
 *       PUT the database with its keys and limits, then mark it ready;</li>
 *   <li>ready with {@code pushed_version < config_version}: PUT again (new keys after a rotate);</li>
 *   <li>deleting: DELETE on its worker (if it was placed) and on the target of a move under way, then remove the
 *       key rows and the row.</li>
 * </ul>
 * A failed call leaves the row as it is; the next round retries. A worker that is down delays readiness.
 */
@Service
public class Reconciler {

    private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

    private final DatabaseRepository databases;
    private final DatabaseKeys keys;
    private final OrganizationService organizations;
    private final WorkerService workers;
    private final WorkerClient client;
    private final TransactionTemplate tx;
    private final WorkerKeySet keySets;
    private final JsonMapper json;
    private final Placement placement;
    private final Moves moves;
    /** Database id → when its label conflict was last logged at ERROR (once a minute while it lasts, not every round). */
    private final Map<String, Long> conflictLogged = new ConcurrentHashMap<>();
    private static final long CONFLICT_LOG_PERIOD_NANOS = 60_000_000_000L;

    /** {@code platform_provisioning_duration_seconds}: create call → the worker acknowledged the database (ready). */
    private final io.micrometer.core.instrument.Timer provisioning;

    Reconciler(DatabaseRepository databases, DatabaseKeys keys, OrganizationService organizations,
               WorkerService workers, WorkerClient client, TransactionTemplate tx, WorkerKeySet keySets,
               JsonMapper json, io.micrometer.core.instrument.MeterRegistry meters, Placement placement, Moves moves) {
        this.placement = placement;
        this.moves = moves;
        this.provisioning = io.micrometer.core.instrument.Timer.builder("platform.provisioning.duration")
                .description("from a database's create call until its worker acknowledged it (provisioning → ready)")
                .register(meters);
        this.json = json;
        this.keySets = keySets;
        this.databases = databases;
        this.keys = keys;
        this.organizations = organizations;
        this.workers = workers;
        this.client = client;
        this.tx = tx;
    }

    /** One pass over every pending database; returns how many are still pending afterwards. */
    public int reconcileAll() {
        int pending = 0;
        for (String id : databases.findPendingIds()) {
            if (!reconcile(id)) {
                pending++;
            }
        }
        return pending;
    }

    /** Moves one database one step toward its desired state; true when it needs nothing more. */
    public boolean reconcile(String databaseId) {
        Optional<Database> found = databases.findById(databaseId);
        if (found.isEmpty()) {
            return true;
        }
        Database db = found.get();
        try {
            return switch (db.state()) {
                case Database.DELETING -> removeFromWorker(db);
                case Database.PROVISIONING -> push(db);
                case Database.READY -> db.pushedVersion() >= db.configVersion() || push(db);
                default -> true;
            };
        } catch (WorkerClient.WorkerCallException e) {
            if (e.labelConflict()) {
                // never silent: two databases claim one hostname on that worker, and this one stays unserved
                // (provisioning, or its old configuration) until the other is deleted or moved
                if (!e.getMessage().equals(db.lastError())) {
                    databases.recordError(db.id(), e.getMessage());
                }
                Long last = conflictLogged.get(db.id());
                long now = System.nanoTime();
                if (last != null && now - last < CONFLICT_LOG_PERIOD_NANOS) {
                    return false;
                }
                conflictLogged.put(db.id(), now);
                log.error("database {} ({}) is REFUSED by its worker: its hostname label is held by another database "
                        + "there; it stays {} until that database is deleted or moved: {}", db.id(), db.label(),
                        db.state(), e.getMessage());
                return false;
            }
            if (!e.getMessage().equals(db.lastError())) {
                databases.recordError(db.id(), e.getMessage());
                log.warn("database {} still {} (retrying every round): {}", db.id(), db.state(), e.getMessage());
            } else {
                log.debug("database {} still {}: {}", db.id(), db.state(), e.getMessage());
            }
            return false;
        }
    }

    private boolean push(Database db) throws WorkerClient.WorkerCallException {
        Optional<Worker> worker = db.workerId() != null ? workers.find(db.workerId()) : place(db);
        if (worker.isEmpty()) {
            return false;
        }
        Optional<Organization> org = organizations.byId(db.organizationId());
        if (org.isEmpty()) {
            return true;
        }
        // a database deleted under the same label (delete, then create the name again) must leave the worker
        // first, or the worker refuses this one's label
        for (String previous : databases.findDeletingIdsByLabel(Database.label(db.name(), org.get().slug()))) {
            if (!previous.equals(db.id())) {
                databases.findById(previous).ifPresent(this::removeQuietly);
            }
        }
        long version = db.configVersion();
        client.put(worker.get().url(), db.id(), body(db, org.get()));
        conflictLogged.remove(db.id());
        if (databases.markPushed(db.id(), version, Ids.now()) == 1) {
            if (Database.PROVISIONING.equals(db.state())) {
                provisioning.record(Math.max(0, Ids.now() - db.createdAt()), java.util.concurrent.TimeUnit.MILLISECONDS);
                log.info("database {} ({}/{}) provisioning → ready on worker {}", db.id(), org.get().slug(), db.name(),
                        worker.get().id());
            } else {
                log.info("database {} ({}/{}) configuration v{} pushed to worker {}", db.id(), org.get().slug(),
                        db.name(), version, worker.get().id());
            }
        }
        return true;
    }

    /** What a worker must know to serve {@code db} (keys, revocations, limits, blocks), as of {@code db}'s row. */
    PutDatabase body(Database db, Organization org) {
        WorkerKeySet.KeySet keySet = keySets.forDatabase(db.id(), db.groupId());
        return new PutDatabase(db.name(), org.slug(), db.groupId(), db.maxBytes(), keySet.keys(),
                keySet.revokedTokenIds(), db.effectiveBlockReads(), db.effectiveBlockWrites(), db.blockReason(),
                allowedIps(db), db.storageReason());
    }

    private List<String> allowedIps(Database db) {
        List<String> out = new ArrayList<>();
        if (db.allowedIps() != null && !db.allowedIps().isBlank()) {
            json.readTree(db.allowedIps()).forEach(n -> out.add(n.asString()));
        }
        return out;
    }

    private void removeQuietly(Database deleting) {
        try {
            removeFromWorker(deleting);
        } catch (WorkerClient.WorkerCallException e) {
            log.debug("database {} (deleting) not yet removed from its worker: {}", deleting.id(), e.getMessage());
        }
    }

    /** Chooses the least loaded placeable worker ({@link Placement}) and records it, unless another run did first. */
    private Optional<Worker> place(Database db) {
        Optional<Worker> best = placement.choose(null);
        if (best.isEmpty()) {
            log.debug("database {} waits for a live worker with free capacity", db.id());
            return Optional.empty();
        }
        if (databases.assignWorker(db.id(), best.get().id(), Ids.now()) == 1) {
            log.info("database {} placed on worker {}", db.id(), best.get().id());
            return best;
        }
        return databases.findById(db.id()).map(Database::workerId).flatMap(workers::find);
    }

    private boolean removeFromWorker(Database db) throws WorkerClient.WorkerCallException {
        if (db.workerId() != null) {
            Optional<Worker> worker = workers.find(db.workerId());
            if (worker.isPresent()) {
                client.delete(worker.get().url(), db.id());
            }
        }
        // deleted while it was being moved: the target may hold a copy already (installed by the final catch-up just
        // before the switch failed); remove it now rather than when the mover gets to the move. A target that is
        // down is left to the mover, whose abandoned move keeps that intent until the target is back.
        Optional<Moves.Move> move = moves.find(db.id());
        if (move.isPresent() && !move.get().targetWorkerId().equals(db.workerId())) {
            Optional<Worker> target = workers.find(move.get().targetWorkerId());
            if (target.isPresent() && workers.isLive(target.get())) {
                client.discardImport(target.get().url(), db.id());
                client.delete(target.get().url(), db.id());
            }
        }
        Boolean removed = tx.execute(status -> {
            keys.deleteAll(db.id());
            return databases.removeDeleted(db.id()) == 1;
        });
        if (Boolean.TRUE.equals(removed)) {
            log.info("database {} ({}) deleting → removed", db.id(), db.name());
        }
        return true;
    }

}
