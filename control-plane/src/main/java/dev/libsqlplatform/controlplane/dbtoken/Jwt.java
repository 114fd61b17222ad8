package dev.libsqlplatform.controlplane.dbtoken;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * Compact JWS for database tokens (docs/internals.md "Database tokens"), written by hand: header
 * {@code {"alg":"EdDSA","typ":"JWT","kid":...}}, payload with keys in sorted order
 * {@code a, exp?, iat, id, jti}. Values are ids and fixed words, escaped anyway.
 */
final class Jwt {

    private Jwt() {
    }

    static String sign(PrivateKey key, String kid, String access, Long exp, long iat, String databaseId, String jti) {
        String header = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":" + str(kid) + "}";
        StringBuilder payload = new StringBuilder("{\"a\":").append(str(access));
        if (exp != null) {
            payload.append(",\"exp\":").append(exp.longValue());
        }
        payload.append(",\"iat\":").append(iat)
                .append(",\"id\":").append(str(databaseId))
                .append(",\"jti\":").append(str(jti)).append('}');
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
