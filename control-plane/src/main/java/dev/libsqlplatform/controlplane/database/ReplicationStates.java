package dev.libsqlplatform.controlplane.database;

import java.time.Instant;
import java.util.List;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.worker.ReplicationReported;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The latest replication state of each database, as its worker reports it in heartbeats: stored whole per database
 * (a report replaces the previous one), read by {@code GET .../databases/{db}} and the dashboard. A worker's report
 * about a database it does not host (moved, deleted, or never its own) is ignored: only the hosting worker speaks for
 * a database's log.
 */
@Component
class ReplicationStates {

    private final JdbcClient jdbc;

    ReplicationStates(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Runs on the heartbeat's thread: a malformed report fails the heartbeat call (400). */
    @EventListener
    @Transactional
    public void onReplicationReported(ReplicationReported report) {
        List<WorkerHeartbeat.DatabaseReplication> states = report.replication();
        if (states.size() > WorkerHeartbeat.MAX_REPLICATION_DATABASES) {
            throw ApiError.BAD_REQUEST.exception("a heartbeat carries the replication state of at most "
                    + WorkerHeartbeat.MAX_REPLICATION_DATABASES + " databases");
        }
        states.forEach(ReplicationStates::validate);
        long now = Ids.now();
        for (WorkerHeartbeat.DatabaseReplication s : states) {
            boolean hosted = jdbc.sql("SELECT COUNT(*) FROM databases WHERE id = ? AND worker_id = ?")
                    .param(s.databaseId()).param(report.workerId()).query(Long.class).single() > 0;
            if (!hosted) {
                continue;
            }
            jdbc.sql("DELETE FROM database_replication WHERE database_id = ?").param(s.databaseId()).update();
            jdbc.sql("INSERT INTO database_replication (database_id, worker_id, log_id, replication_index, "
                            + "last_commit_at, reported_at) VALUES (?, ?, ?, ?, ?, ?)")
                    .params(s.databaseId(), report.workerId(), s.logId(), s.replicationIndex(),
                            s.lastCommitAt() == null ? 0 : s.lastCommitAt(), now).update();
            for (WorkerHeartbeat.ReplicaSync r : s.replicas()) {
                // ON CONFLICT: a worker naming one replica twice is not worth failing its heartbeat for
                jdbc.sql("INSERT INTO database_replicas (database_id, replica, last_sync_at, frame_no, frames_behind) "
                                + "VALUES (?, ?, ?, ?, ?) ON CONFLICT (database_id, replica) DO NOTHING")
                        .params(s.databaseId(), r.replica(), r.lastSyncAt(), r.frameNo(), r.framesBehind()).update();
            }
        }
    }

    private static void validate(WorkerHeartbeat.DatabaseReplication s) {
        if (s == null || s.databaseId() == null || s.logId() == null || s.logId().isBlank()
                || s.replicationIndex() == null || s.replicationIndex() < 0 || s.replicas() == null) {
            throw ApiError.BAD_REQUEST.exception("a replication state needs databaseId, logId, replicationIndex >= 0 "
                    + "and replicas");
        }
        if (s.replicas().size() > WorkerHeartbeat.MAX_REPLICAS) {
            throw ApiError.BAD_REQUEST.exception("a replication state lists at most " + WorkerHeartbeat.MAX_REPLICAS
                    + " replicas");
        }
        for (WorkerHeartbeat.ReplicaSync r : s.replicas()) {
            if (r == null || r.replica() == null || r.replica().isBlank() || r.lastSyncAt() == null
                    || r.framesBehind() == null || r.framesBehind() < 0) {
                throw ApiError.BAD_REQUEST.exception("a replica needs replica, lastSyncAt and framesBehind >= 0");
            }
        }
    }

    /** The columns {@link #head} and {@link #addReplica} read, for queries that join {@code s} and {@code r}. */
    static final String COLUMNS = "s.log_id, s.replication_index, s.last_commit_at, s.reported_at, "
            + "r.replica, r.last_sync_at, r.frame_no, r.frames_behind ";
    static final String JOIN_REPLICAS = "LEFT JOIN database_replicas r ON r.database_id = s.database_id ";
    /** Most recently synced replica first. */
    static final String ORDER = "ORDER BY r.last_sync_at DESC, r.replica";

    /** The state on the current row (null: none reported); {@code replicas} is filled by {@link #addReplica}. */
    static ReplicationView head(java.sql.ResultSet rs, List<ReplicationView.ReplicaView> replicas)
            throws java.sql.SQLException {
        String logId = rs.getString("log_id");
        if (logId == null) {
            return null;
        }
        long lastCommit = rs.getLong("last_commit_at");
        return new ReplicationView(logId, rs.getLong("replication_index"),
                lastCommit == 0 ? null : Instant.ofEpochMilli(lastCommit).toString(),
                Instant.ofEpochMilli(rs.getLong("reported_at")).toString(), replicas);
    }

    /** The replica on the current row, if any. */
    static void addReplica(java.sql.ResultSet rs, List<ReplicationView.ReplicaView> replicas)
            throws java.sql.SQLException {
        String replica = rs.getString("replica");
        if (replica != null) {
            long frame = rs.getLong("frame_no");
            Long frameNo = rs.wasNull() ? null : frame;
            long index = rs.getLong("replication_index");
            replicas.add(new ReplicationView.ReplicaView(replica,
                    Instant.ofEpochMilli(rs.getLong("last_sync_at")).toString(), frameNo,
                    rs.getLong("frames_behind"), frameNo == null ? null : Math.max(0, index - frameNo)));
        }
    }
}
