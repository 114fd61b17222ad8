-- A worker silent for longer than platform.worker-timeout is marked down (down_since = when it was noticed) by the
-- first control plane that notices (conditional UPDATE), and up again (NULL) by its next heartbeat. The API shows it
-- on the worker's databases; workers that reach a database of a down worker answer DATABASE_UNAVAILABLE.
ALTER TABLE workers ADD COLUMN down_since BIGINT;
