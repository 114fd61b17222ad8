package dev.libsqlplatform.controlplane.dbtoken;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Database tokens (docs/internals.md): Ed25519 JWTs signed with the database's newest key. */
@Service
public class DatabaseTokenService {

    private final DatabaseService databases;
    private final DatabaseKeys keys;

    DatabaseTokenService(DatabaseService databases, DatabaseKeys keys) {
        this.databases = databases;
        this.keys = keys;
    }

    /** {@code authorization}: {@code full-access} (default) → rw, {@code read-only} → ro, else 400. */
    public static String access(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return "rw";
        }
        return switch (authorization.trim().toLowerCase(Locale.ROOT)) {
            case "full-access" -> "rw";
            case "read-only" -> "ro";
            default -> throw ApiError.AUTHORIZATION_INVALID.exception(
                    "invalid authorization: expected full-access or read-only");
        };
    }

    public String mint(Organization org, String databaseName, String expiration, String authorization) {
        Optional<Duration> ttl = Expiration.parse(expiration);
        String access = access(authorization);
        Database db = databases.get(org, databaseName);
        List<DatabaseKey> all = keys.list(db.id());
        if (all.isEmpty()) {
            throw ApiError.INTERNAL.exception("database " + databaseName + " has no signing key");
        }
        DatabaseKey key = all.get(0);
        long iat = System.currentTimeMillis() / 1000;
        Long exp = ttl.map(d -> iat + d.getSeconds()).orElse(null);
        return Jwt.sign(DatabaseKeys.privateKey(key), key.id(), access, exp, iat, db.id(), UUID.randomUUID().toString());
    }

    /** New key pair, old keys dropped; the reconciler pushes the new key set to the worker. */
    @Transactional
    public void rotate(Organization org, String databaseName) {
        Database db = databases.get(org, databaseName);
        keys.rotate(db.id());
        databases.configChanged(db.id());
    }
}
