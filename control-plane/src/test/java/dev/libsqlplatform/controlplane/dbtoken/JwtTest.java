package dev.libsqlplatform.controlplane.dbtoken;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class JwtTest {

    @Test
    void signsSortedClaimsVerifiableWithTheRawPublicKey() throws Exception {
        KeyPair pair = DatabaseKeys.generate();
        String raw = DatabaseKeys.rawPublicKey(pair);
        byte[] x509 = pair.getPublic().getEncoded();
        assertThat(Base64.getUrlDecoder().decode(raw)).isEqualTo(Arrays.copyOfRange(x509, x509.length - 32, x509.length));

        String jwt = Jwt.sign(pair.getPrivate(), "k1", "rw", 200L, 100, "db-id", "j1");
        String[] parts = jwt.split("\\.");
        assertThat(new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8))
                .isEqualTo("{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
        assertThat(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":\"rw\",\"exp\":200,\"iat\":100,\"id\":\"db-id\",\"jti\":\"j1\"}");
        assertThat(jwt).doesNotContain("=");
        Signature s = Signature.getInstance("Ed25519");
        s.initVerify(pair.getPublic());
        s.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(s.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();

        String noExp = Jwt.sign(pair.getPrivate(), "k1", "ro", null, 100, "db-id", "j2");
        assertThat(new String(Base64.getUrlDecoder().decode(noExp.split("\\.")[1]), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":\"ro\",\"iat\":100,\"id\":\"db-id\",\"jti\":\"j2\"}");
    }
}
