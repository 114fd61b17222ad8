package dev.libsqlplatform.dataplane.auth;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;
import org.springframework.stereotype.Component;

/**
 * Verifies database tokens (compact JWS, EdDSA/Ed25519) and routes them to a database: by the Host label
 * {@code <db>-<org>.<base-domain>}, else by the token's {@code id} claim. See docs/internals.md.
 * Successful signature checks are cached per token (bounded); expiry, revocation and key rotation are
 * re-checked on every use.
 */
@Component
public class TokenAuthenticator {
    private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final int MAX_CACHED = 10_000;
    private static final String BAD_SIGNATURE =
            "the token's signature does not verify with the keys of the requested database";
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final DatabaseRegistry registry;
    private final String baseDomainSuffix;
    private final Map<String, PublicKey> publicKeys = new ConcurrentHashMap<>();
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();

    TokenAuthenticator(DatabaseRegistry registry, WorkerProperties props) {
        this.registry = registry;
        this.baseDomainSuffix = "." + props.baseDomain().toLowerCase(Locale.ROOT);
    }

    record Header(String alg, String kid, String typ) {
    }

    record Claims(String a, Long exp, Long iat, String id, String jti, @JsonProperty("p") Object permissions) {
    }

    /** A signature already checked against this exact key list. */
    private record Verified(String dbId, List<DatabaseMeta.Key> keys, Claims claims) {
    }

    /**
     * @param authorization value of {@code Authorization} (or {@code x-authorization}), may be null
     * @param host          value of the {@code Host} header, may be null
     */
    public AuthenticatedCaller authenticate(String authorization, String host) {
        String token = bearer(authorization);
        String routedId = routeByHost(host);

        Verified v = verified.get(token);
        DatabaseMeta meta;
        if (v != null && (meta = registry.meta(v.dbId())) != null && meta.keys() == v.keys()
                && (routedId == null || routedId.equals(v.dbId()))) {
            return checkClaims(v.claims(), meta);
        }

        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw unauthorized("the token is malformed: expected a compact JWS (header.payload.signature)");
        }
        Header header;
        Claims claims;
        byte[] signature;
        try {
            header = JSON.readValue(b64url(parts[0]), Header.class);
            claims = JSON.readValue(b64url(parts[1]), Claims.class);
            signature = b64url(parts[2]);
        } catch (IllegalArgumentException | JacksonException e) {
            throw unauthorized("the token is malformed: its parts are not base64url-encoded JSON");
        }
        if (header == null || claims == null) {
            throw unauthorized("the token is malformed");
        }
        if (!"EdDSA".equals(header.alg())) {
            throw unauthorized("the token's algorithm must be EdDSA (Ed25519)");
        }
        String dbId = routedId;
        if (dbId == null) {
            if (claims.id() == null || claims.id().isBlank()) {
                throw unauthorized("the token has no `id` claim naming a database");
            }
            dbId = claims.id();
        }
        meta = registry.meta(dbId);
        if (meta == null) {
            // unknown database: indistinguishable from a bad signature, so existence does not leak
            throw unauthorized(BAD_SIGNATURE);
        }
        List<DatabaseMeta.Key> keys = meta.keys();
        if (!verifySignature(keys, header.kid(), parts[0] + "." + parts[1], signature)) {
            throw unauthorized(BAD_SIGNATURE);
        }
        if (claims.id() == null || claims.id().isBlank()) {
            throw unauthorized("the token has no `id` claim naming a database");
        }
        if (!claims.id().equals(dbId)) {
            throw unauthorized("the token is for another database");
        }
        AuthenticatedCaller caller = checkClaims(claims, meta);
        if (verified.size() >= MAX_CACHED) {
            verified.clear();
        }
        verified.put(token, new Verified(dbId, keys, claims));
        return caller;
    }

    private static AuthenticatedCaller checkClaims(Claims claims, DatabaseMeta meta) {
        if (claims.exp() != null && claims.exp() * 1000L <= System.currentTimeMillis()) {
            throw unauthorized("the token has expired");
        }
        if (claims.jti() != null && meta.revokedTokenIds().contains(claims.jti())) {
            throw unauthorized("the token has been revoked");
        }
        boolean readOnly = !"rw".equals(claims.a() == null ? "rw" : claims.a());
        return new AuthenticatedCaller(meta.id(), readOnly);
    }

    private boolean verifySignature(List<DatabaseMeta.Key> keys, String kid, String signingInput, byte[] sig) {
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
        byte[] input = signingInput.getBytes(StandardCharsets.US_ASCII);
        for (DatabaseMeta.Key k : candidates) {
            try {
                PublicKey pk = publicKeys.computeIfAbsent(k.publicKey(), TokenAuthenticator::toPublicKey);
                Signature verifier = Signature.getInstance("Ed25519");
                verifier.initVerify(pk);
                verifier.update(input);
                if (verifier.verify(sig)) {
                    return true;
                }
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                // a malformed key or signature verifies nothing
            }
        }
        return false;
    }

    static PublicKey toPublicKey(String base64urlRaw) {
        byte[] raw = b64url(base64urlRaw);
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key has 32 bytes");
        }
        byte[] der = new byte[ED25519_X509_PREFIX.length + 32];
        System.arraycopy(ED25519_X509_PREFIX, 0, der, 0, ED25519_X509_PREFIX.length);
        System.arraycopy(raw, 0, der, ED25519_X509_PREFIX.length, 32);
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid Ed25519 public key", e);
        }
    }

    private static byte[] b64url(String s) {
        String t = s.trim().replace('+', '-').replace('/', '_');
        int pad = t.indexOf('=');
        if (pad >= 0) {
            t = t.substring(0, pad);
        }
        return Base64.getUrlDecoder().decode(t);
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
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            return null; // IPv6 literal
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!h.endsWith(baseDomainSuffix)) {
            return null;
        }
        String label = h.substring(0, h.length() - baseDomainSuffix.length());
        if (label.isEmpty() || label.contains(".")) {
            return null;
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
