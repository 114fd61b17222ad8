package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.support.StandInWorker;
import dev.libsqlplatform.controlplane.support.TestPostgres;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two control planes on one PostgreSQL database, as the Helm chart runs them: a Platform API token revoked through
 * one is refused by it at its very next request and by the other within the revocation poll bound (although the
 * other had it cached), databases created
 * through both are each placed once, and a silent worker is marked down once.
 */
@ExtendWith(OutputCaptureExtension.class)
class TwoControlPlanesTest {

    static final String TOKEN = "two-cps-admin-token";
    static final String SECRET = "two-cps-secret";
    static TestPostgres postgres;
    static final List<ConfigurableApplicationContext> apps = new ArrayList<>();
    static Http a;
    static Http b;

    @BeforeAll
    static void start() throws Exception {
        postgres = TestPostgres.create();
        a = new Http(startOne(), TOKEN);
        b = new Http(startOne(), TOKEN);
    }

    static int startOne() throws Exception {
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ControlPlaneApplication.class).run(
                "--server.port=0",
                "--platform.data-dir=" + Files.createTempDirectory("cp-two"),
                "--platform.admin-token=" + TOKEN,
                "--platform.admin-plan=unlimited",
                "--platform.service-secret=" + SECRET,
                "--platform.reconcile-interval=100ms",
                "--platform.worker-timeout=2s",
                "--spring.datasource.url=" + postgres.url,
                "--spring.datasource.username=" + postgres.username,
                "--spring.datasource.password=" + postgres.password,
                "--spring.main.banner-mode=off");
        apps.add(ctx);
        return ((WebServerApplicationContext) ctx).getWebServer().getPort();
    }

    @AfterAll
    static void stop() {
        apps.forEach(ConfigurableApplicationContext::close);
        if (postgres != null) {
            postgres.drop();
        }
    }

    @Test
    void aTokenRevokedThroughOneIsRefusedByItAtOnceAndByTheOtherWithinThePollBound() {
        String value = a.post("/v2/auth/api-tokens/short-lived", null).json().at("/token/value").asString();
        // both control planes authenticate (and cache) it
        assertThat(a.as(value).get("/v1/organizations/default/databases").status()).isEqualTo(200);
        assertThat(b.as(value).get("/v1/organizations/default/databases").status()).isEqualTo(200);
        assertThat(b.as(value).get("/v1/organizations/default/databases").status()).isEqualTo(200);
        assertThat(a.delete("/v1/auth/api-tokens/short-lived").status()).isEqualTo(200);
        // the revoking control plane at its very next request, although its copy of the shared epoch is fresh
        assertThat(a.as(value).get("/v1/organizations/default/databases").status()).isEqualTo(401);
        // the other one once it read the shared epoch again: platform.api-tokens.revocation-poll (1 s by default)
        Awaitility.await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
                .until(() -> b.as(value).get("/v1/organizations/default/databases").status() == 401);
        assertThat(a.as(value).get("/v1/organizations/default/databases").status()).isEqualTo(401);
        // the caller's own token is still fine everywhere
        assertThat(b.get("/v1/organizations/default/databases").status()).isEqualTo(200);
    }

    @Test
    void databasesCreatedThroughBothArePlacedOnceAndASilentWorkerIsMarkedDownOnce(CapturedOutput output)
            throws Exception {
        try (StandInWorker worker = new StandInWorker(0)) {
            String beat = "{\"id\":\"w-shared\",\"url\":\"" + worker.url() + "\",\"capacity\":1000,\"databases\":0}";
            Http internalA = a.as(SECRET);
            assertThat(internalA.post("/internal/v1/workers/heartbeat", beat).status()).isEqualTo(200);
            // the stand-in beats like a worker (every 200 ms, to both control planes in turn) until it "dies"
            java.util.concurrent.ScheduledExecutorService heart = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor();
            java.util.concurrent.atomic.AtomicInteger beats = new java.util.concurrent.atomic.AtomicInteger();
            heart.scheduleAtFixedRate(() -> (beats.incrementAndGet() % 2 == 0 ? a : b).as(SECRET)
                    .post("/internal/v1/workers/heartbeat", beat), 200, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                Http through = i % 2 == 0 ? a : b;
                ids.add(through.post("/v1/organizations/default/databases", "{\"name\":\"both-" + i + "\"}").json()
                        .at("/database/DbId").asString());
            }
            await(() -> ids.stream().allMatch(id -> output.getOut().contains("database " + id + " placed on worker")));
            for (String id : ids) {
                Matcher m = Pattern.compile("database " + id + " placed on worker").matcher(output.getOut());
                int placed = 0;
                while (m.find()) {
                    placed++;
                }
                assertThat(placed).as("placements of %s", id).isEqualTo(1);
            }
            // no heartbeat any more: both monitors see it silent, exactly one marks it down
            heart.shutdownNow();
            assertThat(heart.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            await(() -> b.get("/v1/organizations/default/databases/both-1").json().at("/database/worker_status")
                    .asString().equals("down"));
            await(() -> a.get("/v1/organizations/default/databases/both-2").json().at("/database/worker_status")
                    .asString().equals("down"));
            // each outage is logged once across both control planes (a loaded machine may delay a beat past the
            // timeout while the creates run: such an outage and its recovery are logged once each too)
            int downs = output.getOut().split("worker w-shared at \\S+ is DOWN", -1).length - 1;
            int ups = output.getOut().split("worker w-shared at \\S+ is UP again", -1).length - 1;
            assertThat(downs).isEqualTo(ups + 1);
        }
    }

    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(condition);
    }
}
