package dev.libsqlplatform.controlplane.database;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The {@code replication} object of {@code GET .../databases/{db}}: the database's frame log as its worker last
 * reported it (heartbeat): {@code log_id}, {@code replication_index} (frame number of the last durable commit, what a
 * replica has after a full sync), {@code last_commit_at}, {@code reported_at} (when the control plane received it),
 * and up to 16 replicas, most recently synced first. Times are ISO-8601 UTC.
 */
public record ReplicationView(
        @JsonProperty("log_id") String logId,
        @JsonProperty("replication_index") long replicationIndex,
        @JsonProperty("last_commit_at") @JsonInclude(JsonInclude.Include.ALWAYS) String lastCommitAt,
        @JsonProperty("reported_at") String reportedAt,
        @JsonProperty("replicas") List<ReplicaView> replicas) {

    /**
     * One replica as the worker names it ({@code address/token-hash}), its last sync, the frame it reached (null
     * before its first pull), {@code frames_behind}: how far behind the primary it was at that sync, and
     * {@code lag_frames}: how far behind the reported {@code replication_index} it is now (null before its first
     * pull; 0: it has every durable commit).
     */
    public record ReplicaView(
            @JsonProperty("replica") String replica,
            @JsonProperty("last_sync_at") String lastSyncAt,
            @JsonProperty("frame_no") @JsonInclude(JsonInclude.Include.ALWAYS) Long frameNo,
            @JsonProperty("frames_behind") long framesBehind,
            @JsonProperty("lag_frames") @JsonInclude(JsonInclude.Include.ALWAYS) Long lagFrames) {
    }
}
