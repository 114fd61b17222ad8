package dev.libsqlplatform.dataplane.auth;

import dev.libsqlplatform.contract.hostname.HostnameLabel;
import dev.libsqlplatform.contract.token.Jws;
import dev.libsqlplatform.contract.token.TokenClaims;
import dev.libsqlplatform.contract.token.TokenFormatException;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Verifies database and group tokens (compact JWS, EdDSA/Ed25519) and routes them to a database: by the
 * Host label {@code <db>-<org>.<base-domain>}, else by the token's {@code id} claim. See docs/internals.md
 * ("Database tokens" and "Token lifecycle and usage").
 *
 * <ul>
 *   <li>a database token ({@code id}) verifies only with keys of scope {@code database}, and {@code id}
 *       must be the database;</li>
 *   <li>a group token ({@code gid}) verifies only with keys of scope {@code group}, and {@code gid} must be
 *       the database's group;</li>
 *   <li>a token with {@code p} only verifies with any key of the database (either scope); its access is
 *       the strongest entry of {@code p} naming the database ({@code ns}) or its group ({@code tags});</li>
 *   <li>a token with none of {@code id}, {@code gid}, {@code p} is refused (sqld would give it access to
 *       every namespace).</li>
 * </ul>
 * Decoding and the signature check are the contract's {@link Jws} (the codec the control plane signs with); the
 * Host label rule is the contract's {@link HostnameLabel}.
 * Successful signature checks are cached per (database, token), bounded, and tied to the exact metadata
 * object they were checked against: a PUT replacing the metadata (rotation, revocation, new group)
 * invalidates them at once. Expiry, revocation and the address allow-list are checked on every use.
 */
@Component
public class TokenAuthenticator {
    private static final int MAX_CACHED = 10_000;
    private static final String BAD_SIGNATURE =
            "the token's signature does not verify with the keys of the requested database";
    static final String NO_ACCESS = "token does not grant access to this database";

    private final DatabaseRegistry registry;
    private final HostnameLabel.BaseDomain baseDomain;
    private final Map<String, PublicKey> publicKeys = new ConcurrentHashMap<>();
    private final Map<TokenKey, Verified> verified = new ConcurrentHashMap<>();
    private final Map<String, AllowList> allowLists = new ConcurrentHashMap<>();

    TokenAuthenticator(DatabaseRegistry registry, WorkerProperties props) {
        this.registry = registry;
        this.baseDomain = new HostnameLabel.BaseDomain(props.baseDomain());
    }

    /** A signature already checked against this exact metadata object (identity), with the access it grants. */
    private record Verified(DatabaseMeta meta, TokenClaims claims, boolean readOnly) {
    }

    /**
     * Key of the verified-token cache. A fresh token string arrives with every request, so String's own hash
     * would walk its ~300 characters each time (2-3 % of the worker's CPU on point reads); the last 16
     * characters are signature bytes, as good a hash as any. Equality still compares the whole token.
     */
    private record TokenKey(String routedId, String token) {
        @Override
        public int hashCode() {
            int h = Objects.hashCode(routedId);
            int from = Math.max(0, token.length() - 16);
            for (int i = from; i < token.length(); i++) {
                h = 31 * h + token.charAt(i);
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof TokenKey k && token.equals(k.token) && Objects.equals(routedId, k.routedId);
        }
    }

    /** The parsed allow-list of one metadata object (identity). */
    private record AllowList(DatabaseMeta meta, IpAllowList list) {
    }

    /** Like {@link #authenticate(String, String, String)} with an unknown remote address. */
    public AuthenticatedCaller authenticate(String authorization, String host) {
        return authenticate(authorization, host, null);
    }

    /**
     * @param authorization value of {@code Authorization} (or {@code x-authorization}), may be null
     * @param host          value of the {@code Host} header, may be null
     * @param remoteAddress the peer's IP address, checked against the database's {@code allowedIps}
     *                      (null is refused when the list is not empty)
     */
    public AuthenticatedCaller authenticate(String authorization, String host, String remoteAddress) {
        String token = bearer(authorization);
        String routedId = routeByHost(host);
        TokenKey cacheKey = new TokenKey(routedId, token);

        Verified v = verified.get(cacheKey);
        if (v != null && registry.meta(v.meta().id()) == v.meta()) {
            return admit(v, remoteAddress);
        }

        Jws.Decoded decoded;
        try {
            decoded = Jws.decode(token);
        } catch (TokenFormatException e) {
            throw unauthorized(e.getMessage());
        }
        Jws.Header header = decoded.header();
        TokenClaims claims = decoded.claims();
        if (!Jws.ALGORITHM.equals(header.alg())) {
            throw unauthorized("the token's algorithm must be EdDSA (Ed25519)");
        }
        String id = blankToNull(claims.id());
        String gid = blankToNull(claims.gid());
        if (id == null && gid == null && claims.p() == null) {
            throw unauthorized("the token has no `id` claim naming a database (nor a `gid` group or `p` permissions)");
        }
        if (id != null && gid != null) {
            throw unauthorized("the token is malformed: it has both an `id` and a `gid` claim");
        }
        String dbId = routedId;
        if (dbId == null) {
            if (id == null) {
                throw unauthorized("the token has no `id` claim naming a database: a group or fine-grained token"
                        + " must be sent to the database's hostname");
            }
            dbId = id;
        }
        DatabaseMeta meta = registry.meta(dbId);
        if (meta == null) {
            // unknown database: indistinguishable from a bad signature, so existence does not leak
            throw unauthorized(BAD_SIGNATURE);
        }
        // a group token verifies only with group keys, a database token only with database keys; a
        // token carrying only `p` with any key of the database or of its group
        Boolean groupScope = gid != null ? Boolean.TRUE : id != null ? Boolean.FALSE : null;
        if (!verifySignature(meta.keys(), groupScope, header.kid(), decoded)) {
            throw unauthorized(BAD_SIGNATURE);
        }
        if (id != null && !id.equals(dbId)) {
            throw unauthorized("the token is for another database");
        }
        if (gid != null && !gid.equals(meta.groupId())) {
            throw unauthorized("the token is for another group");
        }
        boolean readOnly;
        if (claims.p() != null) {
            int level = permissionLevel(claims.p(), meta);
            if (level == 0) {
                throw unauthorized(NO_ACCESS);
            }
            readOnly = level < 2;
        } else {
            readOnly = !"rw".equals(claims.a() == null ? "rw" : claims.a());
        }
        Verified fresh = new Verified(meta, claims, readOnly);
        AuthenticatedCaller caller = admit(fresh, remoteAddress);
        if (verified.size() >= MAX_CACHED) {
            verified.clear();
        }
        verified.put(cacheKey, fresh);
        return caller;
    }

    /** 0 = no access, 1 = read-only, 2 = read-write: the strongest entry of {@code p} naming the database. */
    static int permissionLevel(Map<String, TokenClaims.Permission> p, DatabaseMeta meta) {
        int level = 0;
        for (Map.Entry<String, TokenClaims.Permission> e : p.entrySet()) {
            TokenClaims.Permission perm = e.getValue();
            if (perm == null || !perm.names(meta.id(), meta.groupId())) {
                continue;
            }
            switch (e.getKey()) {
                case "rw", "rwa" -> level = 2;
                case "ro", "roa" -> level = Math.max(level, 1);
                default -> {
                    // unknown permission kinds grant nothing
                }
            }
        }
        return level;
    }

    /** Checks what may change without the signature changing: expiry, revocation, the caller's address. */
    private AuthenticatedCaller admit(Verified v, String remoteAddress) {
        TokenClaims claims = v.claims();
        DatabaseMeta meta = v.meta();
        if (claims.exp() != null && claims.exp() * 1000L <= System.currentTimeMillis()) {
            throw unauthorized("the token has expired");
        }
        if (claims.jti() != null && meta.revokedTokenIds().contains(claims.jti())) {
            throw unauthorized("the token has been revoked");
        }
        if (!meta.allowedIps().isEmpty() && !allowList(meta).allows(remoteAddress)) {
            throw new ApiException(ErrorCode.FORBIDDEN, "requests from this address are not allowed for this database");
        }
        return new AuthenticatedCaller(meta.id(), v.readOnly(), meta.blockReads(), meta.blockWrites(),
                meta.blockReason());
    }

    private IpAllowList allowList(DatabaseMeta meta) {
        AllowList cached = allowLists.get(meta.id());
        if (cached != null && cached.meta() == meta) {
            return cached.list();
        }
        IpAllowList list;
        try {
            list = IpAllowList.parse(meta.allowedIps());
        } catch (IllegalArgumentException e) {
            // validated when stored; a hand-edited meta.json that does not parse allows nobody
            list = IpAllowList.parse(List.of("0.0.0.0/32"));
        }
        allowLists.put(meta.id(), new AllowList(meta, list));
        return list;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /**
     * @param groupScope TRUE: only group keys; FALSE: only database keys; null: any key
     */
    private boolean verifySignature(List<DatabaseMeta.Key> allKeys, Boolean groupScope, String kid,
                                    Jws.Decoded token) {
        List<DatabaseMeta.Key> keys = new ArrayList<>(allKeys.size());
        for (DatabaseMeta.Key k : allKeys) {
            if (groupScope == null || groupScope == k.isGroupKey()) {
                keys.add(k);
            }
        }
        List<DatabaseMeta.Key> candidates = new ArrayList<>(keys.size());
        if (kid != null) {
            for (DatabaseMeta.Key k : keys) {
                if (kid.equals(k.kid())) {
                    candidates.add(k);
                }
            }
        }
        if (candidates.isEmpty()) {
            candidates.addAll(keys);
        }
        for (DatabaseMeta.Key k : candidates) {
            PublicKey pk;
            try {
                pk = publicKeys.computeIfAbsent(k.publicKey(), Jws::publicKey);
            } catch (IllegalArgumentException e) {
                continue; // a malformed key verifies nothing
            }
            if (Jws.verify(pk, token)) {
                return true;
            }
        }
        return false;
    }

    private static String bearer(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            throw unauthorized("authentication required: send `Authorization: Bearer <database token>`");
        }
        String v = authorization.trim();
        if (v.regionMatches(true, 0, "Bearer ", 0, 7)) {
            v = v.substring(7).trim();
        }
        if (v.isEmpty()) {
            throw unauthorized("authentication required: the bearer token is empty");
        }
        return v;
    }

    /** The database id selected by a Host label, or null when the Host is not a database hostname. */
    String routeByHost(String host) {
        String label = baseDomain.labelOf(host);
        if (label == null) {
            return null; // clients that connect by address (or another name) route by the token's `id`
        }
        String id = registry.idForLabel(label);
        if (id == null) {
            throw unauthorized(BAD_SIGNATURE);
        }
        return id;
    }

    private static ApiException unauthorized(String message) {
        return new ApiException(ErrorCode.UNAUTHORIZED, message);
    }
}
