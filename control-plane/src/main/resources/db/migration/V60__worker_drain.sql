-- Draining a worker (issue 14). draining_since: when the platform administrator asked for the worker to be drained
-- (NULL: not draining). A draining worker gets no new databases and the reconciler moves each of its databases to
-- another live worker (placement/Mover).
ALTER TABLE workers ADD COLUMN draining_since BIGINT;

-- One row per database being moved. Invariants (placement/Mover, placement/Moves):
-- * at most one move per database (primary key; created with INSERT ... ON CONFLICT DO NOTHING, so two control
--   planes create it once);
-- * only the control plane holding the lease (owner, lease_until) drives a move; the lease is taken with a
--   conditional UPDATE, so two control planes never drive the same move at once;
-- * the route switches only through UPDATE databases SET worker_id = target WHERE worker_id = source, after the
--   target reached the source's fenced commit, so a database is moved once and never to a stale copy;
-- * phase 'copying' (source still the route) → 'cleanup' (route switched; the source's copy is to be deleted) → row
--   deleted.
CREATE TABLE database_moves (
    database_id       TEXT PRIMARY KEY,
    source_worker_id  TEXT NOT NULL,
    target_worker_id  TEXT NOT NULL,
    phase             TEXT NOT NULL,
    owner             TEXT,
    lease_until       BIGINT NOT NULL,
    attempts          INTEGER NOT NULL,
    started_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    last_error        TEXT
);
CREATE INDEX database_moves_source ON database_moves (source_worker_id);

-- placement by load reads the rows read and written in the last minutes per worker
CREATE INDEX usage_records_at ON usage_records (at);
