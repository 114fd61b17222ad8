package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import dev.libsqlplatform.controlplane.database.DatabaseRepository;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseKeys;
import dev.libsqlplatform.controlplane.placement.Reconciler;
import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.support.StandInWorker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** Placement and reconciliation against a stand-in worker over real HTTP, with failing calls and a late worker. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReconcilerTest {

    static final String TOKEN = "reconciler-admin-token";
    static final String SECRET = "reconciler-secret";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-reconciler")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.service-secret", () -> SECRET);
        r.add("platform.reconcile-interval", () -> "100ms");
        r.add("platform.worker-call-timeout", () -> "2s");
    }

    @LocalServerPort
    int port;
    @Autowired
    DatabaseRepository databases;
    @Autowired
    DatabaseKeys keys;
    @Autowired
    Reconciler reconciler;

    @Test
    void drivesDatabasesToTheirDesiredStateThroughFailures() throws Exception {
        Http http = new Http(port, TOKEN);
        String base = "/v1/organizations/default/databases";

        // no worker yet: the database waits in provisioning
        String early = http.post(base, "{\"name\":\"early\"}").json().at("/database/DbId").asString();
        // a full reconcile pass (the same one the loop runs) finds no worker to place it on
        assertThat(reconciler.reconcileAll()).isGreaterThanOrEqualTo(1);
        assertThat(state(http, "early")).isEqualTo("provisioning");

        try (StandInWorker worker = new StandInWorker(2)) {
            Http internal = new Http(port, SECRET);
            Http.Response beat = internal.post("/internal/v1/workers/heartbeat",
                    "{\"id\":\"w-test\",\"url\":\"" + worker.url() + "\",\"capacity\":100,\"databases\":0}");
            assertThat(beat.status()).isEqualTo(200);
            assertThat(beat.body()).isEqualTo("{}");

            // two failed PUTs, then success: ready, placed exactly once
            await(() -> "ready".equals(state(http, "early")));
            List<StandInWorker.Call> puts = worker.callsFor(early);
            assertThat(puts).hasSizeGreaterThanOrEqualTo(3).allMatch(c -> c.method().equals("PUT"));
            assertThat(puts).allMatch(c -> ("Bearer " + SECRET).equals(c.authorization()));
            JsonNode body = Http.JSON.readTree(puts.get(puts.size() - 1).body());
            assertThat(body.get("name").asString()).isEqualTo("early");
            assertThat(body.get("organization").asString()).isEqualTo("default");
            assertThat(body.get("maxBytes").asLong()).isEqualTo(9_000_000_000L);
            assertThat(body.at("/keys/0/kid").asString()).isEqualTo(keys.list(early).get(0).id());
            assertThat(body.at("/keys/0/publicKey").asString()).isEqualTo(keys.list(early).get(0).publicKey());
            assertThat(body.get("revokedTokenIds").isArray()).isTrue();
            assertThat(body.get("blockReads").asBoolean()).isFalse();
            assertThat(databases.findById(early).orElseThrow().workerId()).isEqualTo("w-test");
            // nothing more to do: another full pass leaves it alone and calls the worker no more
            int settled = worker.callsFor(early).size();
            assertThat(reconciler.reconcile(early)).isTrue();
            reconciler.reconcileAll();
            assertThat(worker.callsFor(early)).hasSize(settled);

            // with a healthy worker, create places inline: ready when the call answers
            String inline = http.post(base, "{\"name\":\"inline\"}").json().at("/database/DbId").asString();
            assertThat(state(http, "inline")).isEqualTo("ready");

            // rotate pushes the new key set (old key dropped)
            String oldKid = keys.list(inline).get(0).id();
            assertThat(http.post(base + "/inline/auth/rotate", null).body()).isEqualTo("{}");
            String newKid = keys.list(inline).get(0).id();
            assertThat(newKid).isNotEqualTo(oldKid);
            await(() -> {
                List<StandInWorker.Call> calls = worker.callsFor(inline);
                return Http.JSON.readTree(calls.get(calls.size() - 1).body()).at("/keys/0/kid").asString().equals(newKid);
            });

            // delete: the worker's DELETE fails once, is retried, then the row is gone
            worker.failNext(1);
            assertThat(http.delete(base + "/inline").status()).isEqualTo(200);
            assertThat(http.get(base + "/inline").status()).isEqualTo(404);
            await(() -> databases.findById(inline).isEmpty());
            assertThat(worker.callsFor(inline).stream().filter(c -> c.method().equals("DELETE")).count()).isGreaterThanOrEqualTo(2);
            assertThat(keys.list(inline)).isEmpty();
        }
    }

    private static String state(Http http, String name) {
        return http.get("/v1/organizations/default/databases/" + name).json().at("/database/state").asString();
    }

    /** Waits for what the reconciler does in the background (it runs every 100 ms here). */
    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(condition);
    }
}
