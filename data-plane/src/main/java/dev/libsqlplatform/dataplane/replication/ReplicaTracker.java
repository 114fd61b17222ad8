package dev.libsqlplatform.dataplane.replication;

import dev.libsqlplatform.dataplane.usage.UsageTracker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * What each replica of each database pulled: its last sync, the frame it reached, how far behind the primary it was
 * then. A replica is identified by its address and token (the v1 protocol carries no replica id); at most
 * {@value #MAX_REPLICAS_PER_DATABASE} are kept per database, the least recently seen dropped. Bytes synced are
 * metered into the database's usage.
 */
@Component
public class ReplicaTracker {
    static final int MAX_REPLICAS_PER_DATABASE = 64;

    /** One replica as last seen. */
    public record Replica(String replica, long lastSyncMillis, long frameNo, long framesBehind, long bytesSynced) {
    }

    private static final class State {
        volatile long lastSyncMillis;
        volatile long frameNo = -1;
        volatile long framesBehind;
        volatile long bytes;
    }

    private final Map<String, Map<String, State>> byDatabase = new ConcurrentHashMap<>();
    private final UsageTracker usage;
    private final Counter bytesSynced;
    private final Counter framesSynced;

    ReplicaTracker(UsageTracker usage, MeterRegistry meters) {
        this.usage = usage;
        this.bytesSynced = Counter.builder("worker_replication_bytes_synced_total")
                .description("bytes of frames and snapshots sent to replicas").register(meters);
        this.framesSynced = Counter.builder("worker_replication_pulls_total")
                .description("BatchLogEntries and Snapshot answers sent to replicas").register(meters);
        Gauge.builder("worker_replication_replicas", this, ReplicaTracker::activeReplicas)
                .description("replicas that synced within the last 5 minutes").register(meters);
        Gauge.builder("worker_replication_max_frames_behind", this, ReplicaTracker::maxFramesBehind)
                .description("the largest lag in frames (at its last pull) of a replica active within 5 minutes")
                .register(meters);
    }

    private static final long ACTIVE_MILLIS = 5 * 60_000L;

    private double activeReplicas() {
        long since = System.currentTimeMillis() - ACTIVE_MILLIS;
        return byDatabase.values().stream().flatMap(m -> m.values().stream()).filter(s -> s.lastSyncMillis >= since)
                .count();
    }

    private double maxFramesBehind() {
        long since = System.currentTimeMillis() - ACTIVE_MILLIS;
        return byDatabase.values().stream().flatMap(m -> m.values().stream()).filter(s -> s.lastSyncMillis >= since)
                .mapToLong(s -> s.framesBehind).max().orElse(0);
    }

    void handshake(String dbId, ReplicationService.Caller caller, long primaryIndex) {
        State s = state(dbId, caller);
        s.lastSyncMillis = System.currentTimeMillis();
        if (s.frameNo >= 0) {
            s.framesBehind = Math.max(0, primaryIndex - s.frameNo);
        }
    }

    /** @param primaryIndex the primary's last commit at the time, or -1 when unknown (snapshot) */
    void pulled(String dbId, ReplicationService.Caller caller, long reached, long primaryIndex, long bytes) {
        State s = state(dbId, caller);
        s.lastSyncMillis = System.currentTimeMillis();
        s.frameNo = reached;
        if (primaryIndex >= 0) {
            s.framesBehind = Math.max(0, primaryIndex - reached);
        }
        s.bytes += bytes;
        bytesSynced.increment(bytes);
        framesSynced.increment();
        usage.forDatabase(dbId).recordBytesSynced(bytes);
    }

    /** The replicas of a database, most recently synced first. */
    public List<Replica> replicas(String dbId) {
        Map<String, State> m = byDatabase.get(dbId);
        if (m == null) {
            return List.of();
        }
        List<Replica> all = new ArrayList<>();
        m.forEach((k, s) -> all.add(new Replica(k, s.lastSyncMillis, s.frameNo, s.framesBehind, s.bytes)));
        all.sort(Comparator.comparingLong(Replica::lastSyncMillis).reversed());
        return all;
    }

    /** Forgets a deleted database's replicas. */
    public void forget(String dbId) {
        byDatabase.remove(dbId);
    }

    private State state(String dbId, ReplicationService.Caller caller) {
        Map<String, State> m = byDatabase.computeIfAbsent(dbId, k -> new ConcurrentHashMap<>());
        String key = caller.remoteAddress() + "/" + Integer.toHexString(String.valueOf(caller.authorization()).hashCode());
        State s = m.get(key);
        if (s == null) {
            if (m.size() >= MAX_REPLICAS_PER_DATABASE) {
                m.entrySet().stream().min(Comparator.comparingLong(e -> e.getValue().lastSyncMillis))
                        .ifPresent(e -> m.remove(e.getKey()));
            }
            s = m.computeIfAbsent(key, k -> new State());
        }
        return s;
    }
}
