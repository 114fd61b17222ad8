-- Issue 13: plans as data, per-organization overrides, quota blocks, plan history, storage gauges.
-- Same conventions as V1 (portable SQL, TEXT ids, BIGINT epoch millis).

-- What the quota enforcer decided for the organization (reference §3.4 blocked_reads / blocked_writes).
ALTER TABLE organizations ADD COLUMN blocked_reads BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organizations ADD COLUMN blocked_writes BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organizations ADD COLUMN block_reason TEXT;

-- Limits the platform administrator set for one organization in place of its plan's; NULL = the plan's.
CREATE TABLE organization_quota_overrides (
    organization_id  TEXT PRIMARY KEY REFERENCES organizations (id),
    databases        BIGINT,
    storage_bytes    BIGINT,
    rows_read        BIGINT,
    rows_written     BIGINT,
    bytes_synced     BIGINT,
    groups_limit     BIGINT,
    locations        BIGINT,
    updated_at       BIGINT NOT NULL
);

-- Every plan or overages change: invoices price each month with the plan in effect at its end.
CREATE TABLE plan_changes (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    plan_id          TEXT NOT NULL,
    overages         BOOLEAN NOT NULL,
    at               BIGINT NOT NULL,
    changed_by       TEXT
);
CREATE INDEX plan_changes_org_at ON plan_changes (organization_id, at);

-- The quota part of a database's push, kept apart from what its configuration sets (block_reads/block_writes,
-- size_limit) so that lifting a quota block never clears an operator's block. storage_reason: non-null when
-- max_bytes is the organization's remaining storage (the worker then answers BLOCKED naming the quota).
ALTER TABLE databases ADD COLUMN quota_block_reads BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE databases ADD COLUMN quota_block_writes BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE databases ADD COLUMN quota_reason TEXT;
ALTER TABLE databases ADD COLUMN storage_reason TEXT;

-- The latest storage reading of each database (a gauge; usage_records keep the history).
CREATE TABLE database_storage (
    database_id      TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL,
    storage_bytes    BIGINT NOT NULL,
    at               BIGINT NOT NULL
);
CREATE INDEX database_storage_org ON database_storage (organization_id);

