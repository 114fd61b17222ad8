package dev.libsqlplatform.dataplane.replication;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.FrameLog;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The replication part of the heartbeat: the state (log id, replication index, replicas) of each open database whose
 * state differs from what the control plane last acknowledged, at most
 * {@link WorkerHeartbeat#MAX_REPLICATION_DATABASES} per heartbeat (the others stay "changed" and follow) with the
 * {@link WorkerHeartbeat#MAX_REPLICAS} most recently synced replicas each. Only open databases are looked at: a
 * closed one has no writer and no replica pulling from it, so its state cannot have changed since it was open.
 * A state is acknowledged only by a 2xx answer to the heartbeat carrying it; until then it is sent again.
 */
@Component
public class ReplicationReport {
    private final DatabaseRegistry registry;
    private final ReplicaTracker tracker;
    /** What the control plane acknowledged last, per database. */
    private final Map<String, WorkerHeartbeat.DatabaseReplication> acknowledged = new ConcurrentHashMap<>();

    ReplicationReport(DatabaseRegistry registry, ReplicaTracker tracker) {
        this.registry = registry;
        this.tracker = tracker;
    }

    /** The changed states, in database id order; null when none changed (the heartbeat then leaves it out). */
    public List<WorkerHeartbeat.DatabaseReplication> changes() {
        List<OpenDatabase> open = registry.leaseOpen();
        List<WorkerHeartbeat.DatabaseReplication> changed = new ArrayList<>();
        try {
            open.sort((a, b) -> a.id().compareTo(b.id()));
            for (OpenDatabase db : open) {
                FrameLog fl = db.frameLog();
                if (fl == null || changed.size() >= WorkerHeartbeat.MAX_REPLICATION_DATABASES) {
                    continue;
                }
                WorkerHeartbeat.DatabaseReplication now = state(db.id(), fl);
                if (!now.equals(acknowledged.get(db.id()))) {
                    changed.add(now);
                }
            }
        } finally {
            open.forEach(OpenDatabase::release);
        }
        acknowledged.keySet().retainAll(new java.util.HashSet<>(registry.ids())); // forget deleted databases
        return changed.isEmpty() ? null : changed;
    }

    /** The control plane stored {@code sent}: do not send these states again until they change. */
    public void acknowledge(List<WorkerHeartbeat.DatabaseReplication> sent) {
        if (sent != null) {
            sent.forEach(s -> acknowledged.put(s.databaseId(), s));
        }
    }

    private WorkerHeartbeat.DatabaseReplication state(String dbId, FrameLog fl) {
        List<WorkerHeartbeat.ReplicaSync> replicas = tracker.replicas(dbId).stream()
                .limit(WorkerHeartbeat.MAX_REPLICAS)
                .map(r -> new WorkerHeartbeat.ReplicaSync(r.replica(), r.lastSyncMillis(),
                        r.frameNo() < 0 ? null : r.frameNo(), r.framesBehind()))
                .toList();
        return new WorkerHeartbeat.DatabaseReplication(dbId, fl.logId().toString(), fl.lastCommitFrameNo(),
                fl.lastCommitMillis(), replicas);
    }
}
