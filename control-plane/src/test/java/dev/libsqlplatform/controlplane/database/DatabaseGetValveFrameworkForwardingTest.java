package dev.libsqlplatform.controlplane.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;

import dev.libsqlplatform.controlplane.support.Http;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * With {@code server.forward-headers-strategy=framework} a servlet filter rewrites scheme and host after the engine
 * valves, so {@link DatabaseGetValve} is not installed: every get goes through the normal pipeline.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseGetValveFrameworkForwardingTest {

    static final String TOKEN = "fast-get-forwarding-token";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-fast-get-fwd")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.service-secret", () -> "fast-get-forwarding-secret");
        r.add("server.forward-headers-strategy", () -> "framework");
    }

    @LocalServerPort
    int port;

    @Autowired
    DatabaseGetFastPath fastPath;

    @Test
    void theValveIsNotInstalled() {
        Http http = new Http(port, TOKEN);
        assertThat(http.post("/v1/organizations/default/databases", "{\"name\":\"fwd-one\"}").status()).isEqualTo(200);
        assertThat(http.get("/v1/organizations/default/databases/fwd-one").status()).isEqualTo(200);
        assertThat(fastPath.served()).isZero();
    }
}
