-- One counter bumped in the transaction of every change that ends Platform API tokens (revoke, invalidate, an
-- organization's bound tokens deleted, the bootstrap token replaced). Control planes cache authenticated tokens per
-- epoch and read this one row per request: a revoked token is refused at its very next request by every instance.
CREATE TABLE api_token_epoch (
    id    INTEGER PRIMARY KEY,
    epoch BIGINT NOT NULL
);
INSERT INTO api_token_epoch (id, epoch) VALUES (1, 0);
