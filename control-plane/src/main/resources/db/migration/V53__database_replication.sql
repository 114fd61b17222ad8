-- The latest replication state of each database as its worker reported it in a heartbeat (WorkerHeartbeat
-- .replication): its frame log's id and replication index (frame number of the last durable commit), and up to 16
-- replicas (the most recently synced) with their last sync and lag. Replaced as a whole by each report; removed
-- with the database.
CREATE TABLE database_replication (
    database_id        TEXT PRIMARY KEY REFERENCES databases (id) ON DELETE CASCADE,
    worker_id          TEXT NOT NULL,
    log_id             TEXT NOT NULL,
    replication_index  BIGINT NOT NULL,
    last_commit_at     BIGINT NOT NULL,
    reported_at        BIGINT NOT NULL
);

CREATE TABLE database_replicas (
    database_id    TEXT NOT NULL REFERENCES database_replication (database_id) ON DELETE CASCADE,
    replica        TEXT NOT NULL,
    last_sync_at   BIGINT NOT NULL,
    frame_no       BIGINT,
    frames_behind  BIGINT NOT NULL,
    PRIMARY KEY (database_id, replica)
);
