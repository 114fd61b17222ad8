package dev.libsqlplatform.controlplane.placement;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.libsqlplatform.contract.internalapi.MoveDatabase;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Drives draining workers to their desired state: no databases. Each round, every ready database of a draining worker
 * gets a move ({@link Moves}) to the least loaded other worker ({@link Placement}), and every move this control plane
 * can lease goes one step further:
 * <ol>
 *   <li>copy: the target pulls the database from the source (snapshot, then frames) while the source keeps serving;</li>
 *   <li>fence: the source holds its writer; the commit it answers is the last one it will ever make;</li>
 *   <li>catch-up: the target pulls up to exactly that commit and installs the database with its current metadata
 *       (keys, revocations, limits, blocks);</li>
 *   <li>switch: {@link DatabaseService#switchWorker} (conditional on the source still being the route) and the
 *       move turns to {@code cleanup} in one transaction;</li>
 *   <li>cleanup: the source deletes its copy (writes that waited on the fence find it gone, never acknowledged).</li>
 * </ol>
 * A failure before the switch lifts the fence (the source serves on), drops the target's staged copy when the target
 * answers, and retries next round, on another target when this one is down or draining. A source that is down stalls
 * its moves loudly (ERROR once a minute per worker; the databases already show {@code worker_status: down}). A move
 * given up before its switch (drain stopped, database deleted or changed) keeps its row, phase {@code abandoned},
 * until the source's fence is lifted and the target's copy deleted: both are retried every round, so neither outlives
 * a worker that was down or did not answer.
 */
@Service
class Mover {

    private static final Logger log = LoggerFactory.getLogger(Mover.class);
    private static final long STALL_LOG_PERIOD_MILLIS = 60_000;

    private final DatabaseService databases;
    private final OrganizationService organizations;
    private final WorkerService workers;
    private final WorkerClient client;
    private final Placement placement;
    private final Moves moves;
    private final Reconciler reconciler;
    private final TransactionTemplate tx;
    private final DrainProperties properties;
    /** This control plane's identity as a move's lease holder. */
    private final String owner = "cp-" + UUID.randomUUID();
    private final Map<String, Long> stallLogged = new ConcurrentHashMap<>();
    private final AtomicInteger inProgress = new AtomicInteger();
    private final Counter completed;
    private final Counter failed;

    Mover(DatabaseService databases, OrganizationService organizations, WorkerService workers, WorkerClient client,
          Placement placement, Moves moves, Reconciler reconciler, TransactionTemplate tx, DrainProperties properties,
          MeterRegistry meters) {
        this.databases = databases;
        this.organizations = organizations;
        this.workers = workers;
        this.client = client;
        this.placement = placement;
        this.moves = moves;
        this.reconciler = reconciler;
        this.tx = tx;
        this.properties = properties;
        Gauge.builder("platform.database.moves", inProgress, AtomicInteger::get)
                .description("databases being moved off draining workers (after the last reconcile round)")
                .register(meters);
        this.completed = Counter.builder("platform.database.moves.completed")
                .description("databases moved to another worker by this control plane (route switched)").register(meters);
        this.failed = Counter.builder("platform.database.moves.failed")
                .description("failed move attempts by this control plane (each is retried)").register(meters);
    }

    /**
     * One round: plans moves for draining workers (no more than {@code parallel} under way, so each new move's target
     * is chosen by a load that counts the moves finished before it), then steps the moves; returns how many remain.
     */
    int moveAll() {
        List<Worker> all = workers.all();
        for (Worker w : all) {
            if (w.draining()) {
                plan(w);
            }
        }
        List<Moves.Move> pending = moves.all();
        int stepped = 0;
        for (Moves.Move m : pending) {
            if (stepped >= properties.parallel()) {
                break;
            }
            long now = Ids.now();
            if (moves.claim(m.databaseId(), owner, now, now + properties.lease().toMillis()) == 1) {
                stepped++;
                step(moves.find(m.databaseId()).orElse(m));
            }
        }
        int left = moves.all().size();
        inProgress.set(left);
        return left;
    }

    private void plan(Worker source) {
        int underWay = moves.all().size();
        for (String id : databases.readyIdsOnWorker(source.id())) {
            if (underWay >= properties.parallel()) {
                return;
            }
            if (moves.find(id).isPresent()) {
                continue;
            }
            Optional<Worker> target = placement.choose(source.id());
            if (target.isEmpty()) {
                stalled(source, "no live, non-draining worker with free capacity to move its databases to");
                return;
            }
            if (moves.create(id, source.id(), target.get().id(), Ids.now()) == 1) {
                underWay++;
                log.info("database {}: move from draining worker {} to {} planned", id, source.id(), target.get().id());
            }
        }
    }

    private void step(Moves.Move m) {
        Optional<Database> found = databases.liveById(m.databaseId());
        if (Moves.CLEANUP.equals(m.phase())) {
            cleanup(m);
            return;
        }
        if (Moves.ABANDONED.equals(m.phase())) {
            finishAbandon(m);
            return;
        }
        if (found.isEmpty() || !Database.READY.equals(found.get().state())
                || !m.sourceWorkerId().equals(found.get().workerId())) {
            // deleted, or no longer on the source: nothing to move
            abandon(m, "the database is no longer ready on " + m.sourceWorkerId());
            return;
        }
        Database db = found.get();
        Optional<Worker> source = workers.find(m.sourceWorkerId());
        if (source.isEmpty() || !workers.isLive(source.get())) {
            stalled(source.orElse(null), "it is down: database " + db.id() + " cannot be copied until it is back");
            moves.recordError(m.databaseId(), owner, "source worker " + m.sourceWorkerId() + " is down", Ids.now());
            return;
        }
        if (!source.get().draining()) {
            // the drain was stopped: the database stays where it is
            abandon(m, "the drain of " + source.get().id() + " was stopped");
            return;
        }
        Optional<Worker> target = workers.find(m.targetWorkerId());
        if (target.isEmpty() || !workers.isLive(target.get()) || target.get().draining()) {
            Optional<Worker> other = placement.choose(m.sourceWorkerId());
            if (other.isEmpty()) {
                stalled(source.get(), "no live, non-draining worker with free capacity to move its databases to");
                return;
            }
            target.ifPresent(t -> {
                discardQuietly(t, m.databaseId());
                if (workers.isLive(t)) {
                    // draining, not down: it answers, and a copy its catch-up installed (answer lost) must not stay
                    // served there; the route is still the source, so deleting it there is safe
                    deleteQuietly(t, m.databaseId());
                }
            });
            moves.retarget(m.databaseId(), owner, m.targetWorkerId(), other.get().id(), Ids.now());
            log.warn("database {}: target worker {} is down or draining, the move goes to {} instead", db.id(),
                    m.targetWorkerId(), other.get().id());
            return;
        }
        Optional<Organization> org = organizations.byId(db.organizationId());
        if (org.isEmpty()) {
            return;
        }
        Worker from = source.get();
        Worker to = target.get();
        long version = db.configVersion();
        PutDatabase body = reconciler.body(db, org.get());
        long started = System.nanoTime();
        try {
            MoveDatabase.Imported bulk = client.importFrom(to.url(), db.id(),
                    new MoveDatabase.Import(from.url(), null, body), properties.copyTimeout());
            long fenced = client.fence(from.url(), db.id());
            long fencedAt = System.nanoTime();
            client.importFrom(to.url(), db.id(), new MoveDatabase.Import(from.url(), fenced, body),
                    properties.copyTimeout());
            Boolean switched = tx.execute(s -> {
                long now = Ids.now();
                if (!databases.switchWorker(db.id(), from.id(), to.id(), version)) {
                    return false;
                }
                moves.markCleanup(db.id(), now);
                return true;
            });
            if (!Boolean.TRUE.equals(switched)) {
                // deleted meanwhile (or changed): the target installed a copy that is not the route, and must not
                // serve it; abandon removes it (retried until the target answers)
                abandon(m, "the database changed while it was copied");
                return;
            }
            completed.increment();
            log.info("database {} ({}/{}) moved from worker {} to {} at frame {} ({} frames after the bulk copy; "
                            + "writes fenced {} ms, move {} ms)", db.id(), org.get().slug(), db.name(), from.id(), to.id(),
                    fenced, fenced - bulk.frameNo(), (System.nanoTime() - fencedAt) / 1_000_000,
                    (System.nanoTime() - started) / 1_000_000);
            cleanup(moves.find(db.id()).orElse(m));
        } catch (WorkerClient.WorkerCallException e) {
            failed.increment();
            moves.recordError(m.databaseId(), owner, e.getMessage(), Ids.now());
            log.warn("database {}: move from {} to {} failed (attempt {}), the source keeps serving and the move is "
                    + "retried: {}", db.id(), from.id(), to.id(), m.attempts() + 1, e.getMessage());
            unfenceQuietly(from, db.id());
        }
    }

    /** After the switch: the source drops its copy (and with it the fence). Retried until the source answers. */
    private void cleanup(Moves.Move m) {
        Optional<Worker> source = workers.find(m.sourceWorkerId());
        if (source.isEmpty()) {
            moves.delete(m.databaseId());
            return;
        }
        try {
            client.delete(source.get().url(), m.databaseId());
            moves.delete(m.databaseId());
        } catch (WorkerClient.WorkerCallException e) {
            moves.recordError(m.databaseId(), owner, "cleanup: " + e.getMessage(), Ids.now());
            log.warn("database {} moved, but its old copy on {} is not deleted yet (retried): {}", m.databaseId(),
                    m.sourceWorkerId(), e.getMessage());
        }
    }

    /**
     * Gives the move up before its switch. The row turns {@code abandoned} and stays until {@link #finishAbandon} has
     * lifted the source's fence and removed the target's copy: a fence left behind would keep the source refusing
     * writes after its restart (the fence is durable there), and a copy the target installed would serve a database
     * that is not routed there, or that was deleted.
     */
    private void abandon(Moves.Move m, String why) {
        log.info("database {}: move from {} to {} abandoned: {}", m.databaseId(), m.sourceWorkerId(),
                m.targetWorkerId(), why);
        moves.markAbandoned(m.databaseId(), "abandoned: " + why, Ids.now());
        finishAbandon(moves.find(m.databaseId()).orElse(m));
    }

    /**
     * Lifts the source's fence and removes the target's copy (staged or installed) of an abandoned move; the row goes
     * once both worked. A worker that is down, or whose call fails, is asked again next round (a worker that is no
     * longer registered has nothing to undo). The target's installed copy is deleted unless the database's route is
     * that worker (it never is before a switch; the check guards against deleting a database where it is served).
     */
    private void finishAbandon(Moves.Move m) {
        List<String> left = new java.util.ArrayList<>();
        Optional<Worker> source = workers.find(m.sourceWorkerId());
        if (source.isPresent()) {
            if (!workers.isLive(source.get())) {
                left.add("source " + source.get().id() + " is down: its fence is lifted when it is back");
            } else {
                try {
                    client.unfence(source.get().url(), m.databaseId());
                } catch (WorkerClient.WorkerCallException e) {
                    left.add("unfence on " + source.get().id() + ": " + e.getMessage());
                }
            }
        }
        Optional<Worker> target = workers.find(m.targetWorkerId());
        if (target.isPresent()) {
            boolean routedThere = databases.liveById(m.databaseId())
                    .map(d -> target.get().id().equals(d.workerId())).orElse(false);
            if (!workers.isLive(target.get())) {
                left.add("target " + target.get().id() + " is down: its copy is removed when it is back");
            } else {
                try {
                    client.discardImport(target.get().url(), m.databaseId());
                    if (!routedThere) {
                        client.delete(target.get().url(), m.databaseId());
                    }
                } catch (WorkerClient.WorkerCallException e) {
                    left.add("removing the copy on " + target.get().id() + ": " + e.getMessage());
                }
            }
        }
        if (left.isEmpty()) {
            moves.delete(m.databaseId());
            log.info("database {}: abandoned move from {} to {} undone (source unfenced, target's copy removed)",
                    m.databaseId(), m.sourceWorkerId(), m.targetWorkerId());
            return;
        }
        String why = "abandoned move not undone yet (retried): " + String.join("; ", left);
        moves.recordError(m.databaseId(), owner, why, Ids.now());
        Long last = stallLogged.get("abandoned:" + m.databaseId());
        long now = Ids.now();
        if (last == null || now - last >= STALL_LOG_PERIOD_MILLIS) {
            stallLogged.put("abandoned:" + m.databaseId(), now);
            log.warn("database {}: {}", m.databaseId(), why);
        }
    }

    private void stalled(Worker source, String why) {
        String id = source == null ? "?" : source.id();
        long now = Ids.now();
        Long last = stallLogged.get(id);
        if (last != null && now - last < STALL_LOG_PERIOD_MILLIS) {
            return;
        }
        stallLogged.put(id, now);
        log.error("drain of worker {} is STALLED: {}", id, why);
    }

    private void unfenceQuietly(Worker w, String databaseId) {
        try {
            client.unfence(w.url(), databaseId);
        } catch (WorkerClient.WorkerCallException e) {
            log.debug("unfence of {} on {} failed: {}", databaseId, w.id(), e.getMessage());
        }
    }

    private void deleteQuietly(Worker w, String databaseId) {
        try {
            client.delete(w.url(), databaseId);
        } catch (WorkerClient.WorkerCallException e) {
            log.debug("delete of {} on {} failed: {}", databaseId, w.id(), e.getMessage());
        }
    }

    private void discardQuietly(Worker w, String databaseId) {
        try {
            client.discardImport(w.url(), databaseId);
        } catch (WorkerClient.WorkerCallException e) {
            log.debug("discard of {} on {} failed: {}", databaseId, w.id(), e.getMessage());
        }
    }
}
