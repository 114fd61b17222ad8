package dev.libsqlplatform.controlplane.dbtoken;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import dev.libsqlplatform.contract.token.Jws;
import dev.libsqlplatform.contract.token.TokenClaims;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.group.DbGroup;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Database and group tokens (docs/internals.md "Database tokens", "Token lifecycle and usage"): Ed25519 JWTs
 * signed with the newest key of the database or group. Every minted token is recorded (jti, kind, access,
 * iat, exp, subject, minter) so it can be listed and revoked alone; rotation replaces keys.
 */
@Service
public class DatabaseTokenService {

    /** How long the record of an expired token stays (listed, marked by its past {@code expires_at}). */
    static final Duration EXPIRED_RECORDS_KEPT = Duration.ofDays(1);

    private final DatabaseService databases;
    private final GroupService groups;
    private final DatabaseKeys keys;
    private final GroupKeys groupKeys;
    private final IssuedTokenRepository issued;
    private final JdbcAggregateTemplate aggregates;

    DatabaseTokenService(DatabaseService databases, GroupService groups, DatabaseKeys keys, GroupKeys groupKeys,
                         IssuedTokenRepository issued, JdbcAggregateTemplate aggregates) {
        this.databases = databases;
        this.groups = groups;
        this.keys = keys;
        this.groupKeys = groupKeys;
        this.issued = issued;
        this.aggregates = aggregates;
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

    /** The options of one mint: {@code attach} are database names of the same organization (read_attach). */
    public record MintRequest(String expiration, String authorization, List<String> attach, String mintedBy) {
    }

    /** One listed token. */
    public record TokenInfo(String id, String authorization, Instant createdAt, Instant expiresAt, boolean revoked) {
    }

    @Transactional
    public String mint(Organization org, String databaseName, MintRequest request) {
        Optional<Duration> ttl = Expiration.parse(request.expiration());
        String access = access(request.authorization());
        Database db = databases.get(org, databaseName);
        List<String> attachIds = attachIds(org, request.attach());
        List<DatabaseKey> all = keys.list(db.id());
        if (all.isEmpty()) {
            throw ApiError.INTERNAL.exception("database " + databaseName + " has no signing key");
        }
        DatabaseKey key = all.get(0);
        return issue(org, request.mintedBy(), access, ttl, attachIds,
                new Subject(IssuedToken.DATABASE, db.id(), db.groupId(), db.name()),
                DatabaseKeys.privateKey(key), key.id());
    }

    @Transactional
    public String mintGroup(Organization org, String groupName, MintRequest request) {
        Optional<Duration> ttl = Expiration.parse(request.expiration());
        String access = access(request.authorization());
        DbGroup group = groups.get(org, groupName);
        List<String> attachIds = attachIds(org, request.attach());
        List<GroupKey> all = groupKeys.list(group.id());
        GroupKey key;
        if (all.isEmpty()) {
            // a group created before group keys existed: its first key must reach the workers of its databases
            key = groupKeys.create(group.id());
            databases.inGroup(org, group.id()).forEach(d -> databases.configChanged(d.id()));
        } else {
            key = all.get(0);
        }
        return issue(org, request.mintedBy(), access, ttl, attachIds,
                new Subject(IssuedToken.GROUP, null, group.id(), group.name()),
                DatabaseKeys.privateKey(key.id(), key.privateKey()), key.id());
    }

    /** What a token opens: one database ({@code id} claim) or every database of a group ({@code gid}). */
    private record Subject(String kind, String databaseId, String groupId, String name) {
        boolean isDatabase() {
            return IssuedToken.DATABASE.equals(kind);
        }
    }

    /**
     * Builds the claims, records the token (so it can be listed and revoked alone) and signs it. With
     * read_attach databases the token also carries sqld's {@code p}: its own access on the subject
     * ({@code ns} for a database, {@code tags} for a group) and {@code roa} on the attached ones.
     */
    private String issue(Organization org, String mintedBy, String access, Optional<Duration> ttl,
                         List<String> attachIds, Subject subject, PrivateKey key, String kid) {
        long now = Ids.now();
        long iat = now / 1000;
        Long exp = ttl.map(d -> iat + d.getSeconds()).orElse(null);
        String jti = UUID.randomUUID().toString();
        TokenClaims claims = subject.isDatabase() ? TokenClaims.database(access, exp, iat, subject.databaseId(), jti)
                : TokenClaims.group(access, exp, iat, subject.groupId(), jti);
        if (!attachIds.isEmpty()) {
            TokenClaims.Permission own = subject.isDatabase() ? TokenClaims.Permission.databases(List.of(subject.databaseId()))
                    : TokenClaims.Permission.groups(List.of(subject.groupId()));
            claims = claims.withPermissions(Map.of(access, own, "roa", TokenClaims.Permission.databases(attachIds)));
        }
        // Each mint sweeps its subject's long-expired records: the dashboard's SQL console mints a one-minute token per
        // run, and without the sweep those rows would pile up for ever. The grace keeps a recent expiry listable.
        long cutoff = now - EXPIRED_RECORDS_KEPT.toMillis();
        if (subject.isDatabase()) {
            issued.deleteDatabaseTokensExpiredBefore(subject.databaseId(), cutoff);
        } else {
            issued.deleteGroupTokensExpiredBefore(subject.groupId(), cutoff);
        }
        aggregates.insert(new IssuedToken(jti, org.id(), subject.kind(), subject.databaseId(), subject.groupId(),
                subject.name(), access, now, exp == null ? null : exp * 1000, IssuedToken.ACTIVE, null, mintedBy));
        return Jws.sign(key, kid, claims);
    }

    private List<String> attachIds(Organization org, List<String> names) {
        if (names == null || names.isEmpty()) {
            return List.of();
        }
        LinkedHashSet<String> ids = new LinkedHashSet<>();
        for (String name : names) {
            if (name == null || name.isBlank()) {
                continue;
            }
            Optional<Database> found = databases.find(org, name);
            if (found.isEmpty()) {
                throw ApiError.BAD_REQUEST.exception("invalid read_attach database: could not find database with name "
                        + name);
            }
            ids.add(found.get().id());
        }
        return new ArrayList<>(ids);
    }

    /** New key pair, old keys dropped; the reconciler pushes the new key set to the worker. */
    @Transactional
    public void rotate(Organization org, String databaseName) {
        Database db = databases.get(org, databaseName);
        rotateKeys(db);
    }

    private void rotateKeys(Database db) {
        keys.rotate(db.id());
        issued.markDatabaseTokensRotated(db.id());
        databases.configChanged(db.id());
    }

    /**
     * Replaces the group's key pair AND the key pair of every database of the group (Turso: "invalidates all
     * group tokens and DB tokens of DBs in the group"); every database's new key set is pushed.
     */
    @Transactional
    public void rotateGroup(Organization org, String groupName) {
        DbGroup group = groups.get(org, groupName);
        groupKeys.rotate(group.id());
        issued.markGroupTokensRotated(group.id());
        databases.inGroup(org, group.id()).forEach(this::rotateKeys);
    }

    public List<TokenInfo> list(Organization org, String databaseName) {
        Database db = databases.get(org, databaseName);
        return issued.findDatabaseTokens(db.id()).stream().map(DatabaseTokenService::info).toList();
    }

    public List<TokenInfo> listGroup(Organization org, String groupName) {
        DbGroup group = groups.get(org, groupName);
        return issued.findGroupTokens(group.id()).stream().map(DatabaseTokenService::info).toList();
    }

    /** Revokes one database token by jti; the database's workers learn it at the next push. */
    @Transactional
    public String revoke(Organization org, String databaseName, String jti) {
        Database db = databases.get(org, databaseName);
        IssuedToken token = issued.findById(jti)
                .filter(t -> IssuedToken.DATABASE.equals(t.kind()) && db.id().equals(t.databaseId()))
                .orElseThrow(() -> ApiError.TOKEN_NOT_FOUND.exception("token not found"));
        if (issued.revoke(token.id(), Ids.now()) == 1) {
            databases.configChanged(db.id());
        }
        return token.id();
    }

    /** Revokes one group token by jti; every database of the group is pushed again. */
    @Transactional
    public String revokeGroup(Organization org, String groupName, String jti) {
        DbGroup group = groups.get(org, groupName);
        IssuedToken token = issued.findById(jti)
                .filter(t -> IssuedToken.GROUP.equals(t.kind()) && group.id().equals(t.groupId()))
                .orElseThrow(() -> ApiError.TOKEN_NOT_FOUND.exception("token not found"));
        if (issued.revoke(token.id(), Ids.now()) == 1) {
            databases.inGroup(org, group.id()).forEach(d -> databases.configChanged(d.id()));
        }
        return token.id();
    }

    private static TokenInfo info(IssuedToken t) {
        return new TokenInfo(t.id(), "ro".equals(t.access()) ? "read-only" : "full-access",
                Instant.ofEpochMilli(t.createdAt()), t.expiresAt() == null ? null : Instant.ofEpochMilli(t.expiresAt()),
                !IssuedToken.ACTIVE.equals(t.status()));
    }
}
