package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.support.StandInWorker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A worker that stops sending heartbeats is marked down within the timeout: in the database and instance objects,
 * in the route workers ask for, in {@code platform_workers{state}} and in the log; its next heartbeat brings it up.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ExtendWith(OutputCaptureExtension.class)
class WorkerDownTest {

    static final String TOKEN = "worker-down-admin-token";
    static final String SECRET = "worker-down-secret";
    static final String DBS = "/v1/organizations/default/databases";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-worker-down")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.service-secret", () -> SECRET);
        r.add("platform.reconcile-interval", () -> "100ms");
        r.add("platform.worker-timeout", () -> "2s");
    }

    @LocalServerPort
    int port;

    @Test
    void aSilentWorkerIsMarkedDownEverywhereAndUpAgainByItsNextHeartbeat(CapturedOutput output) throws Exception {
        Http http = new Http(port, TOKEN);
        Http internal = new Http(port, SECRET);
        try (StandInWorker worker = new StandInWorker(0)) {
            String beat = "{\"id\":\"w-silent\",\"url\":\"" + worker.url() + "\",\"capacity\":100,\"databases\":0}";
            assertThat(internal.post("/internal/v1/workers/heartbeat", beat).status()).isEqualTo(200);
            // the stand-in beats like a worker (every 200 ms) until it "dies"
            ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor();
            heart.scheduleAtFixedRate(() -> internal.post("/internal/v1/workers/heartbeat", beat), 200, 200,
                    TimeUnit.MILLISECONDS);
            String id = http.post(DBS, "{\"name\":\"lonely\"}").json().at("/database/DbId").asString();
            await(() -> "ready".equals(http.get(DBS + "/lonely").json().at("/database/state").asString()));
            assertThat(http.get(DBS + "/lonely").json().at("/database/worker_status").asString()).isEqualTo("up");
            assertThat(http.get(DBS).json().at("/databases/0/worker_status").asString()).isEqualTo("up");
            assertThat(http.get(DBS + "/lonely/instances").json().at("/instances/0/status").asString()).isEqualTo("up");
            Http.Response route = internal.get("/internal/v1/routes?id=" + id);
            assertThat(route.status()).isEqualTo(200);
            assertThat(route.json().get("workerUrl").asString()).isEqualTo(worker.url());
            assertThat(route.json().get("workerStatus").asString()).isEqualTo("up");
            String scrape = metrics();
            assertThat(scrape).containsPattern("(?m)^platform_provisioning_duration_seconds_count [1-9]")
                    .containsPattern("(?m)^platform_usage_intake_lag_seconds [0-9.]+$")
                    .containsPattern("(?m)^platform_databases_pending [0-9.]+$");
            assertThat(internal.get("/internal/v1/routes?label=lonely-default").json().get("databaseId").asString())
                    .isEqualTo(id);

            heart.shutdownNow();
            assertThat(heart.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            // no more heartbeats: down within the timeout (2 s) plus the monitor's period
            await(() -> "down".equals(http.get(DBS + "/lonely").json().at("/database/worker_status").asString()));
            assertThat(http.get(DBS + "/lonely").json().at("/database/state").asString()).isEqualTo("ready");
            assertThat(http.get(DBS + "/lonely/instances/" + "local").json().at("/instance/status").asString())
                    .isEqualTo("down");
            assertThat(internal.get("/internal/v1/routes?id=" + id).json().get("workerStatus").asString()).isEqualTo("down");
            // both gauges are set by one monitor pass, one after the other: a scrape between them sees one updated
            await(() -> {
                String m = metrics();
                return m.contains("platform_workers{state=\"down\"} 1.0") && m.contains("platform_workers{state=\"up\"} 0.0");
            });
            await(() -> output.getOut().contains("worker w-silent at " + worker.url() + " is DOWN"));

            assertThat(internal.post("/internal/v1/workers/heartbeat", beat).status()).isEqualTo(200);
            assertThat(http.get(DBS + "/lonely").json().at("/database/worker_status").asString()).isEqualTo("up");
            assertThat(output.getOut()).contains("worker w-silent at " + worker.url() + " is UP again");
            await(() -> metrics().contains("platform_workers{state=\"up\"} 1.0"));
        }
    }

    @Test
    void routeQuestionsAreCheckedAndNeedTheServiceSecret() {
        Http internal = new Http(port, SECRET);
        assertThat(internal.get("/internal/v1/routes?id=nope").status()).isEqualTo(404);
        assertThat(internal.get("/internal/v1/routes?label=nope-default").status()).isEqualTo(404);
        assertThat(internal.get("/internal/v1/routes").status()).isEqualTo(400);
        assertThat(internal.get("/internal/v1/routes?id=a&label=b").status()).isEqualTo(400);
        assertThat(new Http(port, TOKEN).get("/internal/v1/routes?id=nope").status()).isEqualTo(401);
    }

    private String metrics() {
        return new Http(port, null).get("/actuator/prometheus").body();
    }

    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(condition);
    }
}
