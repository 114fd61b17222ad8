package dev.libsqlplatform.controlplane.dbtoken;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compact JWS for database and group tokens (docs/internals.md), written by hand: header
 * {@code {"alg":"EdDSA","typ":"JWT","kid":...}}, payload with keys in sorted order at every level
 * ({@code a, exp?, gid|id, iat, jti, p?}). Values are strings, numbers, lists of strings and nested maps.
 */
final class Jwt {

    private Jwt() {
    }

    /** A database token without {@code p}. */
    static String sign(PrivateKey key, String kid, String access, Long exp, long iat, String databaseId, String jti) {
        Map<String, Object> claims = new TreeMap<>();
        claims.put("a", access);
        if (exp != null) {
            claims.put("exp", exp);
        }
        claims.put("iat", iat);
        claims.put("id", databaseId);
        claims.put("jti", jti);
        return sign(key, kid, claims);
    }

    static String sign(PrivateKey key, String kid, Map<String, ?> claims) {
        String header = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":" + str(kid) + "}";
        StringBuilder payload = new StringBuilder();
        write(payload, claims);
        String signingInput = DatabaseKeys.b64(header.getBytes(StandardCharsets.UTF_8)) + "."
                + DatabaseKeys.b64(payload.toString().getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + DatabaseKeys.b64(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }

    private static void write(StringBuilder b, Object value) {
        if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : new TreeMap<>(map).entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                b.append(str(e.getKey().toString())).append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof Collection<?> list) {
            b.append('[');
            boolean first = true;
            for (Object o : list) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                write(b, o);
            }
            b.append(']');
        } else if (value instanceof Number n) {
            b.append(n.longValue());
        } else {
            b.append(str(String.valueOf(value)));
        }
    }

    private static String str(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
