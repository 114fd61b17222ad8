package dev.libsqlplatform.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** deploy/docker-entrypoint.sh, the images' entrypoint, run here with the same /bin/sh. */
class EntrypointTest {

    private static final String ENTRYPOINT = Repo.ROOT.resolve("deploy/docker-entrypoint.sh").toString();

    @Test
    void fileVariantsOfSecretsBecomeTheVariablesAndDisappear(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "s3cr3t-token");
        Repo.Result r = Repo.run(dir, Map.of("PLATFORM_ADMIN_TOKEN_FILE", token.toString()), 10,
                "sh", ENTRYPOINT, "sh", "-c", "echo \"[$PLATFORM_ADMIN_TOKEN][${PLATFORM_ADMIN_TOKEN_FILE:-unset}]\"");
        assertThat(r.exit()).isZero();
        assertThat(r.out().trim()).isEqualTo("[s3cr3t-token][unset]");
    }

    @Test
    void anUnreadableSecretFileStopsTheStart(@TempDir Path dir) throws Exception {
        Repo.Result r = Repo.run(dir, Map.of("SPRING_DATASOURCE_PASSWORD_FILE", dir.resolve("missing").toString()), 10,
                "sh", ENTRYPOINT, "true");
        assertThat(r.exit()).isNotZero();
        assertThat(r.out()).contains("SPRING_DATASOURCE_PASSWORD_FILE=").contains("is not readable");
    }

    @Test
    void initSecretsCreatesPrivateRandomValuesOnceAndKeepsThem(@TempDir Path dir) throws Exception {
        // chown to the images' users needs root, as in the compose file's one-shot service
        assumeTrue("root".equals(System.getProperty("user.name")), "init-secrets runs as root (compose: user 0)");
        Path secrets = dir.resolve("secrets");
        Repo.Result first = Repo.run(dir, Map.of(), 10, "sh", ENTRYPOINT, "init-secrets", secrets.toString());
        assertThat(first.exit()).as(first.out()).isZero();
        String service = Files.readString(secrets.resolve("service-secret"));
        String pg = Files.readString(secrets.resolve("postgres-password"));
        assertThat(service).matches("[A-Za-z0-9_-]{43}");
        assertThat(pg).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(service);
        assertThat(Files.readString(secrets.resolve("control-plane-postgres-password"))).isEqualTo(pg);
        for (String f : new String[] {"service-secret", "postgres-password", "control-plane-postgres-password"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets.resolve(f)))).isEqualTo("r--------");
        }
        assertThat(Files.getAttribute(secrets.resolve("service-secret"), "unix:uid")).isEqualTo(10001);
        assertThat(Files.getAttribute(secrets.resolve("postgres-password"), "unix:uid")).isEqualTo(999);

        Repo.Result second = Repo.run(dir, Map.of(), 10, "sh", ENTRYPOINT, "init-secrets", secrets.toString());
        assertThat(second.exit()).as(second.out()).isZero();
        assertThat(Files.readString(secrets.resolve("service-secret"))).isEqualTo(service);
        assertThat(Files.readString(secrets.resolve("postgres-password"))).isEqualTo(pg);
    }
}
