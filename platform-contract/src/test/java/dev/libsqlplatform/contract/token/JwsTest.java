package dev.libsqlplatform.contract.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The token wire format the official clients and the e2e token matrices depend on, and sign → verify. */
class JwsTest {

    @Test
    void aDatabaseTokensPayloadIsByteForByteTheWireFormat() {
        assertThat(Jws.payload(TokenClaims.database("rw", 1700003600L, 1700000000L, "db-1", "j-1")))
                .isEqualTo("{\"a\":\"rw\",\"exp\":1700003600,\"iat\":1700000000,\"id\":\"db-1\",\"jti\":\"j-1\"}");
        assertThat(Jws.payload(TokenClaims.database("ro", null, 1700000000L, "db-1", "j-1")))
                .isEqualTo("{\"a\":\"ro\",\"iat\":1700000000,\"id\":\"db-1\",\"jti\":\"j-1\"}");
    }

    @Test
    void aGroupTokenWithReadAttachPermissionsSortsKeysAtEveryLevel() {
        Map<String, TokenClaims.Permission> p = new TreeMap<>(Map.of(
                "rw", TokenClaims.Permission.groups(List.of("g-1")),
                "roa", TokenClaims.Permission.databases(List.of("db-2", "db-3"))));
        assertThat(Jws.payload(TokenClaims.group("rw", null, 1700000000L, "g-1", "j-2").withPermissions(p)))
                .isEqualTo("{\"a\":\"rw\",\"gid\":\"g-1\",\"iat\":1700000000,\"jti\":\"j-2\","
                        + "\"p\":{\"roa\":{\"ns\":[\"db-2\",\"db-3\"]},\"rw\":{\"tags\":[\"g-1\"]}}}");
    }

    @Test
    void signedTokensDecodeAndVerifyWithTheirPublicKeyOnly() throws Exception {
        KeyPair pair = Jws.generateKeyPair();
        KeyPair other = Jws.generateKeyPair();
        TokenClaims claims = TokenClaims.database("rw", null, 1700000000L, "db-1", "j-1")
                .withPermissions(Map.of("roa", TokenClaims.Permission.databases(List.of("db-2"))));
        String token = Jws.sign(Jws.privateKey(Jws.encodePrivateKey(pair.getPrivate())), "k1", claims);

        String header = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8);
        assertThat(header).isEqualTo("{\"alg\":\"EdDSA\",\"typ\":\"JWT\",\"kid\":\"k1\"}");
        Jws.Decoded decoded = Jws.decode(token);
        assertThat(decoded.header()).isEqualTo(new Jws.Header("EdDSA", "k1", "JWT"));
        assertThat(decoded.claims()).isEqualTo(claims);
        String raw = Jws.rawPublicKey(pair.getPublic());
        assertThat(Base64.getUrlDecoder().decode(raw)).hasSize(32);
        assertThat(Jws.verify(Jws.publicKey(raw), decoded)).isTrue();
        assertThat(Jws.verify(other.getPublic(), decoded)).isFalse();

        // a changed payload under the same signature does not verify
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + Jws.b64(Jws.payload(TokenClaims.database("rw", null, 1700000000L, "db-2", "j-1"))
                .getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
        assertThat(Jws.verify(pair.getPublic(), Jws.decode(forged))).isFalse();
    }

    @Test
    void decodingIgnoresUnknownClaimsAndToleratesPadding() throws Exception {
        String header = Base64.getUrlEncoder().encodeToString("{\"alg\":\"EdDSA\"}".getBytes(StandardCharsets.UTF_8));
        String payload = Base64.getUrlEncoder().encodeToString(
                "{\"id\":\"db\",\"nbf\":1,\"sub\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        Jws.Decoded d = Jws.decode(header + "." + payload + ".AAAA");
        assertThat(d.claims().id()).isEqualTo("db");
        assertThat(d.header().kid()).isNull();
    }

    @Test
    void malformedTokensSayWhatIsWrong() {
        assertThatThrownBy(() -> Jws.decode("a.b")).isInstanceOf(TokenFormatException.class)
                .hasMessage("the token is malformed: expected a compact JWS (header.payload.signature)");
        assertThatThrownBy(() -> Jws.decode("%%.e30.AA")).isInstanceOf(TokenFormatException.class)
                .hasMessage("the token is malformed: its parts are not base64url-encoded JSON");
        assertThatThrownBy(() -> Jws.decode(Jws.b64("null".getBytes(StandardCharsets.UTF_8)) + ".e30.AA"))
                .isInstanceOf(TokenFormatException.class).hasMessage("the token is malformed");
        assertThatThrownBy(() -> Jws.publicKey("AAAA")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPermissionNamesADatabaseByIdOrByItsGroup() {
        assertThat(TokenClaims.Permission.databases(List.of("d")).names("d", null)).isTrue();
        assertThat(TokenClaims.Permission.groups(List.of("g")).names("d", "g")).isTrue();
        assertThat(TokenClaims.Permission.groups(List.of("g")).names("d", null)).isFalse();
        assertThat(new TokenClaims.Permission(null, null).names("d", "g")).isFalse();
    }
}
