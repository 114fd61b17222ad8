-- Dashboard sign-in with a password (security.Passwords). One row per user who has set a password; users without
-- one sign in with a Platform API token. password_hash is Spring Security's DelegatingPasswordEncoder format
-- ({bcrypt}$2a$...), never the password. failed_attempts counts consecutive wrong passwords; reaching
-- platform.sign-in.max-failures sets locked_until (epoch ms) and starts the count again.
CREATE TABLE user_passwords (
    user_id          TEXT PRIMARY KEY REFERENCES users (id),
    password_hash    TEXT NOT NULL,
    changed_at       BIGINT NOT NULL,
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    locked_until     BIGINT
);
