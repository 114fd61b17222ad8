package dev.libsqlplatform.controlplane.placement;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.stereotype.Service;

/**
 * The platform administrator's view of the workers and the drain switch (README, "Draining a worker"). Marking is one
 * conditional UPDATE ({@link WorkerService#markDraining}); the moves themselves are the {@link Mover}'s. Public for
 * the dashboard's workers page, which shows and switches drains through these same methods as {@code /v1/workers}.
 * Callers authorize first (the platform administrator only).
 */
@Service
public class Drains {

    private final WorkerService workers;
    private final DatabaseService databases;
    private final Moves moves;
    private final ReconcilerLoop loop;

    Drains(WorkerService workers, DatabaseService databases, Moves moves, ReconcilerLoop loop) {
        this.workers = workers;
        this.databases = databases;
        this.moves = moves;
        this.loop = loop;
    }

    /**
     * A worker as the API shows it. {@code status}: {@code up} or {@code down}; {@code databases}: placed on it now;
     * {@code drain}: null unless draining.
     */
    public record WorkerView(String id, String url, String status, long capacity, long databases,
                      @JsonProperty("last_seen") String lastSeen,
                      @JsonInclude(JsonInclude.Include.ALWAYS) DrainView drain) {
    }

    /**
     * A drain's progress. {@code state}: {@code draining} (databases left), {@code stalled} (the worker is down, or no
     * other worker can take its databases: nothing moves until that changes), {@code drained} (none left);
     * {@code remaining}: databases still on the worker; {@code moving}: of those, with a move under way;
     * {@code last_error}: the latest failed move attempt's reason.
     */
    public record DrainView(String state, String since, long remaining, long moving,
                     @JsonProperty("last_error") String lastError) {
        static final String DRAINING = "draining";
        static final String STALLED = "stalled";
        static final String DRAINED = "drained";
    }

    public List<WorkerView> list() {
        return workers.all().stream().map(this::view).toList();
    }

    WorkerView get(String id) {
        return view(require(id));
    }

    /** Marks the worker draining (idempotent); 409 {@code last_live_worker} when no other worker could take its databases. */
    public WorkerView drain(String id) {
        Worker w = require(id);
        if (!w.draining() && workers.markDraining(id) != 1) {
            Worker now = require(id);
            if (!now.draining()) {
                throw ApiError.LAST_LIVE_WORKER.exception("worker " + id + " cannot be drained: no other live worker "
                        + "that is not draining could take its databases");
            }
        }
        loop.wake();
        return get(id);
    }

    /** Stops a drain (idempotent): databases not moved yet stay; moves under way are abandoned by the reconciler. */
    public WorkerView undrain(String id) {
        require(id);
        workers.stopDraining(id);
        loop.wake();
        return get(id);
    }

    private Worker require(String id) {
        return workers.find(id).orElseThrow(() -> ApiError.WORKER_NOT_FOUND.exception("worker " + id + " not found"));
    }

    private WorkerView view(Worker w) {
        long placed = databases.countOnWorker(w.id());
        DrainView drain = null;
        if (w.draining()) {
            long remaining = databases.readyIdsOnWorker(w.id()).size();
            List<Moves.Move> out = moves.fromWorker(w.id());
            String lastError = out.stream().filter(m -> m.lastError() != null)
                    .max(java.util.Comparator.comparingLong(Moves.Move::updatedAt)).map(Moves.Move::lastError)
                    .orElse(null);
            boolean live = workers.isLive(w);
            boolean anyTarget = workers.placeable().stream().anyMatch(o -> !o.id().equals(w.id()));
            String state = remaining == 0 && out.isEmpty() ? DrainView.DRAINED
                    : !live || !anyTarget ? DrainView.STALLED : DrainView.DRAINING;
            drain = new DrainView(state, Instant.ofEpochMilli(w.drainingSince()).toString(), remaining,
                    out.stream().filter(m -> Moves.COPYING.equals(m.phase())).count(), lastError);
        }
        return new WorkerView(w.id(), w.url(), w.status(), w.capacity(), placed,
                Instant.ofEpochMilli(w.lastSeen()).toString(), drain);
    }
}
