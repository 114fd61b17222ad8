package dev.libsqlplatform.controlplane.placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Finds copies a worker holds of databases that are not routed to it, and hands each to the {@link Mover} as an
 * abandoned move, which deletes it there (unless it is routed there by then). Such a copy is left when a worker was
 * down while the platform gave its database up: a move's target that installed its copy and died before the switch
 * (the move went elsewhere), or a worker that was down while its database was deleted and its row removed. Served
 * directly, that copy would answer with stale data, so every worker is swept when it registers or comes back, and
 * every worker every {@code platform.drain.stray-sweep} (a worker restarted within the heartbeat timeout sends no event);
 * and a starting worker asks itself, before it serves anything ({@link StrayController}), and deletes what it is told.
 *
 * <p>A copy is stray only when no row routes the database to the worker (a row being deleted still counts: the
 * reconciler removes it) and the worker is not the target of a move under way (which legitimately holds a copy
 * before the switch). The abandoned move's row is created only if the database has no move ({@link Moves#createAbandoned}), and
 * while it exists no move for that database can be planned, so the delete cannot race a switch to this worker.
 */
@Component
class StrayCopies {

    private static final Logger log = LoggerFactory.getLogger(StrayCopies.class);

    private final WorkerService workers;
    private final WorkerClient client;
    private final DatabaseService databases;
    private final Moves moves;
    private final long periodMillis;
    /** Workers that registered or came back since the last round: swept in the next one. */
    private final Set<String> arrived = ConcurrentHashMap.newKeySet();
    private final Map<String, Long> lastSwept = new ConcurrentHashMap<>();

    StrayCopies(WorkerService workers, WorkerClient client, DatabaseService databases, Moves moves,
                DrainProperties properties) {
        this.workers = workers;
        this.client = client;
        this.databases = databases;
        this.moves = moves;
        this.periodMillis = properties.straySweep().toMillis();
    }

    void workerArrived(String workerId) {
        arrived.add(workerId);
    }

    /** One round: sweeps the workers that arrived, and those not swept for a period. Returns the strays found. */
    int sweep() {
        int found = 0;
        long now = Ids.now();
        for (Worker w : workers.all()) {
            boolean due = arrived.remove(w.id()) || now - lastSwept.getOrDefault(w.id(), 0L) >= periodMillis;
            if (!due || !workers.isLive(w)) {
                continue;
            }
            List<String> hosted;
            try {
                hosted = client.hosted(w.url());
            } catch (WorkerClient.WorkerCallException e) {
                // asked again next round
                arrived.add(w.id());
                log.debug("listing the databases of worker {} failed: {}", w.id(), e.getMessage());
                continue;
            }
            lastSwept.put(w.id(), now);
            found += strays(w.id(), hosted).size();
        }
        return found;
    }

    /**
     * Which of {@code hostedIds} (the databases worker {@code workerId} holds) it must not serve: those no row routes to
     * it and of which it is not the target of a move under way. Each is recorded as an abandoned move from and to the
     * worker when the database has no move yet, so the {@link Mover} deletes the copy there; one with another move
     * (abandoned, or cleaning up after a switch) is deleted there by a later sweep. Two queries for the worker, then
     * a precise check of the few candidates (rows may change meanwhile).
     */
    List<String> strays(String workerId, List<String> hostedIds) {
        Set<String> routed = new HashSet<>(databases.idsOnWorker(workerId));
        Map<String, Moves.Move> moving = new HashMap<>();
        moves.all().forEach(m -> moving.put(m.databaseId(), m));
        List<String> strays = new ArrayList<>();
        for (String id : new LinkedHashSet<>(hostedIds)) {
            if (routed.contains(id) || isMoveTarget(moving.get(id), workerId)) {
                continue;
            }
            // the precise check: the row as it is now (the worker's rows were read above)
            Optional<Database> row = databases.byId(id);
            if (row.isPresent() && workerId.equals(row.get().workerId())) {
                continue;
            }
            if (!moving.containsKey(id)) {
                if (moves.createAbandoned(id, workerId, strayReason(row, workerId), Ids.now()) == 1) {
                    log.warn("worker {} holds a copy of database {} that is not routed to it (left while it was down);"
                            + " the copy is deleted there", workerId, id);
                } else if (isMoveTarget(moves.find(id).orElse(null), workerId)) {
                    // a move to this worker was planned meanwhile
                    continue;
                }
            }
            strays.add(id);
        }
        return strays;
    }

    /** Whether {@code workerId} is the target of {@code move}, which is under way (it legitimately holds a copy). */
    private static boolean isMoveTarget(Moves.Move move, String workerId) {
        return move != null && Moves.COPYING.equals(move.phase()) && workerId.equals(move.targetWorkerId());
    }

    private static String strayReason(Optional<Database> row, String workerId) {
        return row.map(d -> "stray copy on " + workerId + ": the database is on "
                + (d.workerId() == null ? "no worker" : d.workerId())).orElse("stray copy on " + workerId
                + ": the database no longer exists");
    }
}
