package dev.libsqlplatform.contract.token;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Compact JWS with EdDSA (Ed25519) for {@link TokenClaims}: header {@code {"alg":"EdDSA","typ":"JWT","kid":...}},
 * payload with keys sorted at every level and null claims left out, all base64url without padding. The payload is
 * written by hand, not by a mapper, so its bytes cannot change with a mapper's configuration: the official clients
 * and the e2e token matrices read these tokens, and the golden test pins them.
 *
 * <p>Keys travel as base64url of the raw 32-byte public key (what sqld takes) and are stored as PKCS#8 (private).
 */
public final class Jws {

    public static final String ALGORITHM = "EdDSA";

    /** X.509 SubjectPublicKeyInfo prefix of an Ed25519 key; the raw 32 bytes follow it. */
    private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    /** Lenient on input: tokens from other issuers carry claims we do not use. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Jws() {
    }

    public record Header(String alg, String kid, String typ) {
    }

    /**
     * A decoded, not yet verified token.
     *
     * @param signingInput the ASCII bytes of {@code header.payload}, what the signature covers
     */
    public record Decoded(Header header, TokenClaims claims, byte[] signingInput, byte[] signature) {
    }

    // ---- signing (control plane) ----

    public static String sign(PrivateKey key, String kid, TokenClaims claims) {
        String header = "{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":" + str(kid) + "}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "."
                + b64(payload(claims).getBytes(StandardCharsets.UTF_8));
        try {
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(signature.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign token", e);
        }
    }

    /** The payload JSON exactly as signed: keys sorted at every level, null claims and null lists left out. */
    public static String payload(TokenClaims claims) {
        Map<String, Object> map = new TreeMap<>();
        put(map, "a", claims.a());
        put(map, "exp", claims.exp());
        put(map, "iat", claims.iat());
        put(map, "id", claims.id());
        put(map, "gid", claims.gid());
        put(map, "jti", claims.jti());
        if (claims.p() != null) {
            Map<String, Object> p = new TreeMap<>();
            claims.p().forEach((kind, perm) -> {
                Map<String, Object> entry = new TreeMap<>();
                if (perm != null) {
                    put(entry, "ns", perm.ns());
                    put(entry, "tags", perm.tags());
                }
                p.put(kind, entry);
            });
            map.put("p", p);
        }
        StringBuilder b = new StringBuilder();
        write(b, map);
        return b.toString();
    }

    private static void put(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    private static void write(StringBuilder b, Object value) {
        if (value instanceof Map<?, ?> map) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
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

    // ---- decoding and verification (workers) ----

    /**
     * Splits and parses a token; checks nothing about its signature, algorithm or claims.
     *
     * @throws TokenFormatException with the message workers answer in their 401
     */
    public static Decoded decode(String token) throws TokenFormatException {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new TokenFormatException("the token is malformed: expected a compact JWS (header.payload.signature)");
        }
        Header header;
        TokenClaims claims;
        byte[] signature;
        try {
            header = JSON.readValue(b64url(parts[0]), Header.class);
            claims = JSON.readValue(b64url(parts[1]), TokenClaims.class);
            signature = b64url(parts[2]);
        } catch (IllegalArgumentException | JacksonException e) {
            throw new TokenFormatException("the token is malformed: its parts are not base64url-encoded JSON");
        }
        if (header == null || claims == null) {
            throw new TokenFormatException("the token is malformed");
        }
        byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
        return new Decoded(header, claims, input, signature);
    }

    /** Whether {@code token}'s signature verifies with {@code key}; a malformed key or signature verifies nothing. */
    public static boolean verify(PublicKey key, Decoded token) {
        try {
            Signature verifier = Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(token.signingInput());
            return verifier.verify(token.signature());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    // ---- keys ----

    public static KeyPair generateKeyPair() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
    }

    /** base64url (no padding) of the raw 32-byte public key: the last 32 bytes of its X.509 encoding. */
    public static String rawPublicKey(PublicKey key) {
        byte[] x509 = key.getEncoded();
        return b64(Arrays.copyOfRange(x509, x509.length - 32, x509.length));
    }

    /** The inverse of {@link #rawPublicKey}; {@link IllegalArgumentException} when it is not 32 bytes of base64url. */
    public static PublicKey publicKey(String base64urlRaw) {
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

    /** base64url (no padding) of the PKCS#8 encoding, as the control plane stores private keys. */
    public static String encodePrivateKey(PrivateKey key) {
        return b64(key.getEncoded());
    }

    public static PrivateKey privateKey(String base64urlPkcs8) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519")
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getUrlDecoder().decode(base64urlPkcs8)));
    }

    public static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** Tolerant base64url: also standard-alphabet characters and padding, which some clients leave in. */
    static byte[] b64url(String s) {
        String t = s.trim().replace('+', '-').replace('/', '_');
        int pad = t.indexOf('=');
        if (pad >= 0) {
            t = t.substring(0, pad);
        }
        return Base64.getUrlDecoder().decode(t);
    }
}
