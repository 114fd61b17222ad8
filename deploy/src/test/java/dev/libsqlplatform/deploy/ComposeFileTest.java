package dev.libsqlplatform.deploy;

import static dev.libsqlplatform.deploy.Repo.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml passes {@code docker-compose config} (Debian's docker-compose; bin/test installs it), and the
 * resolved file wires what the stack needs: PostgreSQL, the control plane on it, two workers, shared secrets.
 */
class ComposeFileTest {

    private static Map<String, Object> services;
    private static Map<String, Object> config;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void resolve() throws Exception {
        assertThat(Repo.onPath("docker-compose"))
                .as("docker-compose is not installed (bin/test installs the Debian package docker-compose)").isTrue();
        Path project = Repo.ROOT;
        Repo.Result result = Repo.run(project, Map.of(), 60, "docker-compose", "-f",
                project.resolve("docker-compose.yml").toString(), "config");
        assertThat(result.exit()).as("docker-compose config:\n%s", result.out()).isZero();
        config = new Yaml().load(result.out());
        services = at(config, "services");
    }

    @Test
    void theStackIsPostgresOneControlPlaneAndTwoWorkers() {
        assertThat(services).containsOnlyKeys("secrets", "postgres", "control-plane", "worker-1", "worker-2");
        assertThat((String) at(services, "postgres", "image")).startsWith("postgres:");
        assertThat((String) at(services, "control-plane", "build", "target")).isEqualTo("control-plane");
        assertThat((String) at(services, "worker-1", "build", "target")).isEqualTo("worker");
        assertThat((String) at(services, "worker-2", "build", "target")).isEqualTo("worker");
        assertThat((Map<String, Object>) at(config, "volumes"))
                .containsKeys("secrets", "postgres", "control-plane", "worker-1", "worker-2");
    }

    @Test
    void secretsAreCreatedOnceAndEveryProcessReadsThemAsFiles() {
        assertThat((List<String>) at(services, "secrets", "command")).containsExactly("init-secrets",
                "/var/lib/libsql-platform/secrets");
        for (String name : List.of("control-plane", "worker-1", "worker-2")) {
            Map<String, Object> env = at(services, name, "environment");
            assertThat(env).containsEntry("PLATFORM_SERVICE_SECRET_FILE", "/var/lib/libsql-platform/secrets/service-secret");
            assertThat(env).doesNotContainKey("PLATFORM_SERVICE_SECRET");
            assertThat((List<String>) at(services, name, "volumes")).contains("secrets:/var/lib/libsql-platform/secrets:ro");
            assertThat((String) at(services, name, "depends_on", "secrets", "condition"))
                    .isEqualTo("service_completed_successfully");
        }
        assertThat((String) at(services, "postgres", "environment", "POSTGRES_PASSWORD_FILE"))
                .isEqualTo("/run/platform-secrets/postgres-password");
        assertThat((String) at(services, "control-plane", "environment", "SPRING_DATASOURCE_PASSWORD_FILE"))
                .isEqualTo("/var/lib/libsql-platform/secrets/control-plane-postgres-password");
    }

    @Test
    void theControlPlaneUsesPostgresAndTheWorkersFindIt() {
        assertThat((String) at(services, "control-plane", "environment", "SPRING_DATASOURCE_URL"))
                .isEqualTo("jdbc:postgresql://postgres:5432/libsql_platform");
        assertThat((String) at(services, "control-plane", "depends_on", "postgres", "condition")).isEqualTo("service_healthy");
        for (String name : List.of("worker-1", "worker-2")) {
            Map<String, Object> env = at(services, name, "environment");
            assertThat(env).containsEntry("PLATFORM_WORKER_ID", name)
                    .containsEntry("PLATFORM_WORKER_PUBLIC_URL", "http://" + name + ":8081")
                    .containsEntry("PLATFORM_WORKER_CONTROL_PLANE_URL", "http://control-plane:8080");
            assertThat((String) at(services, name, "depends_on", "control-plane", "condition")).isEqualTo("service_healthy");
            assertThat((List<String>) at(services, name, "volumes")).contains(name + ":/var/lib/libsql-platform/worker:rw");
        }
    }

    @Test
    void everyTargetTheComposeFileBuildsExistsInTheDockerfile() throws Exception {
        String dockerfile = Files.readString(Repo.ROOT.resolve("Dockerfile"));
        for (String name : services.keySet()) {
            if (!"postgres".equals(name)) {
                String target = at(services, name, "build", "target");
                assertThat(dockerfile).as("Dockerfile stage %s", target).containsPattern("(?m)^FROM \\S+ AS " + target + "$");
            }
        }
    }
}
