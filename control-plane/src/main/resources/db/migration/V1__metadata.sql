-- Control-plane metadata. ONE migration set for PostgreSQL and SQLite: portable SQL only.
-- Conventions: ids are TEXT (UUIDs generated in Java); times are BIGINT epoch milliseconds;
-- flags are BOOLEAN (SQLite stores 0/1); a soft-deleted row carries deleted_at and leaves the
-- partial unique indexes (WHERE deleted_at IS NULL), so a deleted name can be reused at once.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    email       TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (username);

-- lock_version: bumped as the FIRST statement of every transaction that checks a quota of the
-- organization (create database, create group). It is a row lock in PostgreSQL and the database write
-- lock in SQLite, so concurrent creates are serialised per organization and a count read after it stays
-- true until commit.
CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    slug          TEXT NOT NULL,
    name          TEXT NOT NULL,
    type          TEXT NOT NULL,
    plan_id       TEXT NOT NULL,
    lock_version  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX organizations_slug ON organizations (slug);

CREATE TABLE memberships (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    user_id          TEXT NOT NULL REFERENCES users (id),
    role             TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX memberships_org_user ON memberships (organization_id, user_id);
CREATE INDEX memberships_user ON memberships (user_id);

-- Platform API tokens: only the SHA-256 (hex) of the token is stored. kind = 'bootstrap' marks the
-- administrator token managed by the bootstrap (at most one per user), 'user' the tokens users mint.
CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE UNIQUE INDEX api_tokens_user_name ON api_tokens (user_id, name);

CREATE TABLE db_groups (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    name               TEXT NOT NULL,
    primary_location   TEXT NOT NULL,
    delete_protection  BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         BIGINT NOT NULL,
    deleted_at         BIGINT
);
CREATE UNIQUE INDEX db_groups_live_name ON db_groups (organization_id, name) WHERE deleted_at IS NULL;

CREATE TABLE workers (
    id                   TEXT PRIMARY KEY,
    url                  TEXT NOT NULL,
    capacity             BIGINT NOT NULL,
    reported_databases   BIGINT NOT NULL,
    registered_at        BIGINT NOT NULL,
    last_seen            BIGINT NOT NULL
);

-- Databases. state: 'provisioning' (inserted, not yet acknowledged by a worker), 'ready', 'deleting'
-- (deleted_at set; invisible to the API; removed by the reconciler after the worker's DELETE).
-- worker_id is set once (conditional UPDATE ... WHERE worker_id IS NULL) and never changes, so a
-- database is never placed twice. config_version is bumped when what the worker must know changes
-- (keys, limits, blocks); pushed_version is the version the worker acknowledged.
CREATE TABLE databases (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    group_id           TEXT NOT NULL REFERENCES db_groups (id),
    name               TEXT NOT NULL,
    state              TEXT NOT NULL,
    worker_id          TEXT REFERENCES workers (id),
    max_bytes          BIGINT NOT NULL,
    block_reads        BOOLEAN NOT NULL DEFAULT FALSE,
    block_writes       BOOLEAN NOT NULL DEFAULT FALSE,
    delete_protection  BOOLEAN NOT NULL DEFAULT FALSE,
    config_version     BIGINT NOT NULL,
    pushed_version     BIGINT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    deleted_at         BIGINT,
    last_error         TEXT
);
CREATE UNIQUE INDEX databases_live_name ON databases (organization_id, name) WHERE deleted_at IS NULL;
CREATE INDEX databases_org_state ON databases (organization_id, state);
CREATE INDEX databases_state ON databases (state);
CREATE INDEX databases_worker ON databases (worker_id);

-- Per-database Ed25519 key pairs (kid = id). The private key is PKCS#8, base64url.
-- TODO(security): encrypt private_key at rest with a key-encryption key outside the metadata store.
CREATE TABLE database_keys (
    id           TEXT PRIMARY KEY,
    database_id  TEXT NOT NULL REFERENCES databases (id),
    public_key   TEXT NOT NULL,
    private_key  TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX database_keys_database ON database_keys (database_id);
