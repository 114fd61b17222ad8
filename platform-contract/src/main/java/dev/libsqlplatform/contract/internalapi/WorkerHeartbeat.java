package dev.libsqlplatform.contract.internalapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Body of {@code POST /internal/v1/workers/heartbeat} (docs/internals.md): the worker's identity and capacity and,
 * when it has something to report, a usage report ({@code reportId} + counter deltas per database) that the control
 * plane stores once per {@code reportId}. Null components are left out of the JSON: {@code reportId} and
 * {@code usage} are "both omitted when there is nothing to report". Numbers are boxed: the control plane defaults
 * an absent {@code capacity} (10000) and {@code databases} (0).
 *
 * <p>{@code replication} carries the replication state (frame log and replicas) of the hosted databases whose state
 * changed since the last acknowledged heartbeat, at most {@link #MAX_REPLICATION_DATABASES} per heartbeat (the rest
 * follow in the next ones) with at most {@link #MAX_REPLICAS} replicas each, the most recently synced; omitted when
 * nothing changed. Each entry replaces what the control plane stored for that database.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerHeartbeat(String id, String url, Long capacity, Long databases, String reportId,
                              List<DatabaseUsage> usage, List<DatabaseReplication> replication) {

    /** Most databases whose replication state one heartbeat carries. */
    public static final int MAX_REPLICATION_DATABASES = 100;
    /** Most replicas one database's replication state carries (the most recently synced). */
    public static final int MAX_REPLICAS = 16;

    /** A heartbeat without replication state. */
    public WorkerHeartbeat(String id, String url, Long capacity, Long databases, String reportId,
                           List<DatabaseUsage> usage) {
        this(id, url, capacity, databases, reportId, usage, null);
    }

    /** One database's deltas since the last acknowledged report; {@code storageBytes} is its current size. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DatabaseUsage(String databaseId, Long rowsRead, Long rowsWritten, Long storageBytes, Long bytesSynced,
                                List<QueryUsage> queries) {
    }

    /** Aggregates of one SQL text (literals as sent) since the last report. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QueryUsage(String query, Long rowsRead, Long rowsWritten, Long count) {
    }

    /**
     * One database's frame log as the worker reports it: its log id, its replication index (the frame number of the
     * last durable commit), when that commit was made (epoch millis, 0 when the log has none), and its replicas.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DatabaseReplication(String databaseId, String logId, Long replicationIndex, Long lastCommitAt,
                                      List<ReplicaSync> replicas) {
    }

    /**
     * One replica as the worker names it ({@code address/token-hash}: the protocol carries no replica id): its last
     * sync (epoch millis), the frame it reached (null before its first pull) and how many frames it was behind the
     * primary then.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReplicaSync(String replica, Long lastSyncAt, Long frameNo, Long framesBehind) {
    }
}
