package dev.libsqlplatform.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Builds both image targets of the Dockerfile and checks what they run as. Needs a Docker engine; where none
 * answers (this project's CI machines), the tests are reported as skipped with the reason.
 */
class ImageBuildTest {

    private static String noEngine;

    /** Each test reports itself skipped (with the reason) where no engine answers; asked once per run. */
    @BeforeEach
    void dockerEngine() throws Exception {
        if (noEngine == null) {
            if (!Repo.onPath("docker")) {
                noEngine = "no docker CLI on the PATH";
            } else {
                Repo.Result info = Repo.run(Repo.ROOT, Map.of(), 30, "docker", "info", "--format", "{{.ServerVersion}}");
                noEngine = info.exit() == 0 ? "" : "no Docker engine answers (docker info: "
                        + info.out().strip().lines().reduce((a, b) -> b).orElse("") + ")";
            }
        }
        assumeTrue(noEngine.isEmpty(), () -> "skipped: " + noEngine);
    }

    @Test
    void controlPlaneImageBuildsAndRunsAsNonRoot() throws Exception {
        buildAndCheck("control-plane", "8080");
    }

    @Test
    void workerImageBuildsAndRunsAsNonRoot() throws Exception {
        buildAndCheck("worker", "8081");
    }

    private static void buildAndCheck(String target, String port) throws Exception {
        String tag = "libsql-platform-test/" + target + ":test";
        Repo.Result build = Repo.run(Repo.ROOT, Map.of("DOCKER_BUILDKIT", "1"), 1800,
                "docker", "build", "--target", target, "-t", tag, ".");
        assertThat(build.exit()).as("docker build --target %s:\n%s", target, build.out()).isZero();
        Repo.Result inspect = Repo.run(Repo.ROOT, Map.of(), 30, "docker", "image", "inspect", "--format",
                "{{.Config.User}} {{json .Config.Cmd}} {{json .Config.ExposedPorts}} {{json .Config.Healthcheck.Test}}", tag);
        assertThat(inspect.exit()).as(inspect.out()).isZero();
        assertThat(inspect.out()).startsWith("10001:10001 [\"" + target + "\"]").contains(port + "/tcp")
                .contains("/actuator/health/readiness");
        Repo.Result java = Repo.run(Repo.ROOT, Map.of(), 120, "docker", "run", "--rm", tag, "java", "-version");
        assertThat(java.exit()).as(java.out()).isZero();
    }
}
