-- Issue 4: group keys, per-token records, database configuration, organization settings, invites,
-- usage reports, audit log. Same conventions as V1 (portable SQL, TEXT ids, BIGINT epoch millis).

ALTER TABLE organizations ADD COLUMN overages BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organizations ADD COLUMN require_mfa BOOLEAN NOT NULL DEFAULT FALSE;
-- a deleted organization keeps its row (its databases are removed by the reconciler); its slug is renamed
-- to 'deleted-<id>' so the name is free at once
ALTER TABLE organizations ADD COLUMN deleted_at BIGINT;

-- size_limit: bytes asked for with PATCH .../configuration or create (NULL = the plan's storage);
-- max_bytes (pushed to the worker) = min(size_limit, plan storage). allowed_ips / allowed_aws_vpc_ids: JSON arrays.
ALTER TABLE databases ADD COLUMN size_limit BIGINT;
ALTER TABLE databases ADD COLUMN allowed_ips TEXT NOT NULL DEFAULT '[]';
ALTER TABLE databases ADD COLUMN allowed_aws_vpc_ids TEXT NOT NULL DEFAULT '[]';

-- extra (non-primary) locations of a group, comma-separated; databases stay on their primary
ALTER TABLE db_groups ADD COLUMN extra_locations TEXT NOT NULL DEFAULT '';

-- Per-group Ed25519 key pairs (kid = id), as database_keys.
CREATE TABLE group_keys (
    id           TEXT PRIMARY KEY,
    group_id     TEXT NOT NULL REFERENCES db_groups (id),
    public_key   TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX group_keys_group ON group_keys (group_id);

-- Every minted database/group token (never the token itself). kind: 'database' | 'group'.
-- status: 'active'; 'revoked' (single-token revocation: its jti is pushed to workers until it expires);
-- 'rotated' (its key was replaced: it cannot verify any more, nothing to push).
CREATE TABLE issued_tokens (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL,
    kind             TEXT NOT NULL,
    database_id      TEXT,
    group_id         TEXT NOT NULL,
    subject_name     TEXT NOT NULL,
    access           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT,
    status           TEXT NOT NULL,
    revoked_at       BIGINT,
    minted_by        TEXT NOT NULL
);
CREATE INDEX issued_tokens_database ON issued_tokens (database_id, status);
CREATE INDEX issued_tokens_group ON issued_tokens (group_id, status);

-- Invitations to an organization, accepted by the invited user (POST /v1/invites/{id}/accept).
CREATE TABLE invites (
    id               BIGINT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    email            TEXT NOT NULL,
    username         TEXT,
    role             TEXT NOT NULL,
    invited_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    accepted_at      BIGINT
);
CREATE INDEX invites_org ON invites (organization_id);

-- Usage reports from workers: report ids already stored are ignored (a re-sent report is not counted twice).
CREATE TABLE usage_reports (
    id           TEXT PRIMARY KEY,
    worker_id    TEXT NOT NULL,
    received_at  BIGINT NOT NULL
);

CREATE TABLE usage_records (
    id               TEXT PRIMARY KEY,
    report_id        TEXT NOT NULL,
    organization_id  TEXT NOT NULL,
    database_id      TEXT NOT NULL,
    at               BIGINT NOT NULL,
    rows_read        BIGINT NOT NULL,
    rows_written     BIGINT NOT NULL,
    storage_bytes    BIGINT NOT NULL,
    bytes_synced     BIGINT NOT NULL
);
CREATE INDEX usage_records_db_at ON usage_records (database_id, at);
CREATE INDEX usage_records_org_at ON usage_records (organization_id, at);

CREATE TABLE query_stats (
    id            TEXT PRIMARY KEY,
    database_id   TEXT NOT NULL,
    at            BIGINT NOT NULL,
    query         TEXT NOT NULL,
    rows_read     BIGINT NOT NULL,
    rows_written  BIGINT NOT NULL,
    count         BIGINT NOT NULL
);
CREATE INDEX query_stats_db_at ON query_stats (database_id, at);

-- Every successful mutating Platform API call of an organization.
CREATE TABLE audit_logs (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT,
    author           TEXT NOT NULL,
    code             TEXT NOT NULL,
    message          TEXT NOT NULL,
    origin           TEXT NOT NULL,
    data             TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE INDEX audit_logs_org_created ON audit_logs (organization_id, created_at);
