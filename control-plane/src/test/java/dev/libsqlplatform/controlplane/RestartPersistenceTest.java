package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import dev.libsqlplatform.controlplane.support.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** Stop the app and start it again on the same files: organization, databases and tokens are still there. */
class RestartPersistenceTest {

    @TempDir
    Path dir;

    private ConfigurableApplicationContext start(String adminToken) {
        // command-line arguments: they take precedence over application.yml
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "--server.port=0", "--server.address=127.0.0.1",
                "--platform.data-dir=" + dir.resolve("cp"),
                "--platform.service-secret-file=" + dir.resolve("service-secret"),
                "--platform.reconcile-interval=200ms"));
        if (adminToken != null) {
            args.add("--platform.admin-token=" + adminToken);
        }
        return new SpringApplicationBuilder(ControlPlaneApplication.class).run(args.toArray(String[]::new));
    }

    private static int port(ConfigurableApplicationContext ctx) {
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    @Test
    void survivesRestart() throws Exception {
        String token;
        String dbId;
        String jwt;
        try (ConfigurableApplicationContext ctx = start(null)) {
            Path tokenFile = dir.resolve("cp/admin-token");
            assertThat(tokenFile).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("service-secret")))).isEqualTo("rw-------");
            token = Files.readString(tokenFile).trim();
            Http http = new Http(port(ctx), token);
            dbId = http.post("/v1/organizations/default/databases", "{\"name\":\"kept\"}").json().at("/database/DbId").asString();
            jwt = http.post("/v1/organizations/default/databases/kept/auth/tokens", null).json().get("jwt").asString();
        }
        String secret = Files.readString(dir.resolve("service-secret"));
        try (ConfigurableApplicationContext ctx = start(null)) {
            // no new token generated on a later start: the file and the old token stay valid
            assertThat(Files.readString(dir.resolve("cp/admin-token")).trim()).isEqualTo(token);
            assertThat(Files.readString(dir.resolve("service-secret"))).isEqualTo(secret);
            Http http = new Http(port(ctx), token);
            assertThat(http.get("/v1/auth/validate").status()).isEqualTo(200);
            assertThat(http.get("/v1/organizations/default").status()).isEqualTo(200);
            assertThat(http.get("/v1/organizations/default/databases/kept").json().at("/database/DbId").asString()).isEqualTo(dbId);
            var keys = ctx.getBean(dev.libsqlplatform.controlplane.dbtoken.DatabaseKeys.class).list(dbId);
            assertThat(AbstractApiContractTest.verify(keys.get(0).publicKey(), jwt.split("\\."))).isTrue();
        }
        // PLATFORM_ADMIN_TOKEN set later replaces the bootstrap token; the generated one stops working
        try (ConfigurableApplicationContext ctx = start("explicit-admin-token")) {
            Http http = new Http(port(ctx), "explicit-admin-token");
            assertThat(http.get("/v1/auth/validate").status()).isEqualTo(200);
            assertThat(http.as(token).get("/v1/auth/validate").status()).isEqualTo(401);
        }
        try (ConfigurableApplicationContext ctx = start("changed-admin-token")) {
            Http http = new Http(port(ctx), "changed-admin-token");
            assertThat(http.get("/v1/auth/validate").status()).isEqualTo(200);
            assertThat(http.as("explicit-admin-token").get("/v1/auth/validate").status()).isEqualTo(401);
            assertThat(http.get("/v1/organizations/default/databases").json().get("databases")).hasSize(1);
        }
    }
}
