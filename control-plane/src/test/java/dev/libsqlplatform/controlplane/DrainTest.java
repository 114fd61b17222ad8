package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.support.StandInWorker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Placement by load and draining a worker through {@code /v1/workers}, against stand-in workers that record the move
 * calls (the data's copy itself is the data plane's MoveTest and the end-to-end ScaleOutIT).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_EACH_TEST_METHOD)
class DrainTest {

    static final String TOKEN = "drain-admin-token";
    static final String SECRET = "drain-secret";
    static final String DBS = "/v1/organizations/default/databases";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-drain")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.admin-plan", () -> "unlimited");
        r.add("platform.service-secret", () -> SECRET);
        r.add("platform.reconcile-interval", () -> "100ms");
        r.add("platform.worker-timeout", () -> "2s");
    }

    @LocalServerPort
    int port;

    private final ScheduledExecutorService heart = Executors.newSingleThreadScheduledExecutor();
    private final Map<String, String> beats = new ConcurrentHashMap<>();
    private final List<StandInWorker> standIns = new ArrayList<>();

    @AfterEach
    void stop() {
        heart.shutdownNow();
        standIns.forEach(StandInWorker::close);
    }

    /** A stand-in that beats every 200 ms (until {@link #silence}). */
    private StandInWorker worker(String id, long capacity) {
        StandInWorker w = new StandInWorker(0);
        standIns.add(w);
        Http internal = new Http(port, SECRET);
        beats.put(id, "{\"id\":\"" + id + "\",\"url\":\"" + w.url() + "\",\"capacity\":" + capacity + ",\"databases\":0}");
        assertThat(internal.post("/internal/v1/workers/heartbeat", beats.get(id)).status()).isEqualTo(200);
        if (beats.size() == 1) {
            heart.scheduleAtFixedRate(() -> beats.values().forEach(b -> internal.post("/internal/v1/workers/heartbeat", b)),
                    200, 200, TimeUnit.MILLISECONDS);
        }
        return w;
    }

    private void silence(String id) {
        beats.remove(id);
    }

    private String create(Http http, String name) {
        Http.Response r = http.post(DBS, "{\"name\":\"" + name + "\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        String id = r.json().at("/database/DbId").asString();
        await(() -> "ready".equals(http.get(DBS + "/" + name).json().at("/database/state").asString()));
        return id;
    }

    private String workerOf(String id) {
        return new Http(port, SECRET).get("/internal/v1/routes?id=" + id).json().get("workerId").asString();
    }

    @Test
    void placementGoesToTheLeastLoadedWorkerNotTheOneWithTheMostRoom() {
        Http http = new Http(port, TOKEN);
        worker("w-big", 1000);
        worker("w-small", 10);
        // both empty: the tie goes to more free capacity
        String first = create(http, "first");
        assertThat(workerOf(first)).isEqualTo("w-big");
        // w-big hosts one, w-small none: w-small, although w-big has far more room
        String second = create(http, "second");
        assertThat(workerOf(second)).isEqualTo("w-small");
        Http internal = new Http(port, SECRET);
        // one database each: free capacity alone says w-big, but heavy traffic on w-big's database, reported a moment
        // ago, says w-small (the report is weighed at the very next placement, not when a cached sum expires)
        String traffic = beats.get("w-big").replace("}", ",\"reportId\":\"r-load-0\",\"usage\":[{\"databaseId\":\""
                + first + "\",\"rowsRead\":900000,\"rowsWritten\":100000,\"storageBytes\":4096}]}");
        assertThat(internal.post("/internal/v1/workers/heartbeat", traffic).status()).isEqualTo(200);
        assertThat(workerOf(create(http, "second-b"))).isEqualTo("w-small");
        // heavy traffic on w-small's database (reported in a heartbeat) outweighs w-big's extra database
        String report = beats.get("w-small").replace("}", ",\"reportId\":\"r-load-1\",\"usage\":[{\"databaseId\":\""
                + second + "\",\"rowsRead\":900000,\"rowsWritten\":100000,\"storageBytes\":4096}]}");
        assertThat(internal.post("/internal/v1/workers/heartbeat", report).status()).isEqualTo(200);
        String third = create(http, "third");
        assertThat(workerOf(third)).isEqualTo("w-big");
        // and stored bytes weigh too: 1 GiB on w-big's databases (16 "databases' worth") sends the next one back
        String bytes = beats.get("w-big").replace("}", ",\"reportId\":\"r-load-2\",\"usage\":[{\"databaseId\":\""
                + first + "\",\"rowsRead\":0,\"rowsWritten\":0,\"storageBytes\":1073741824}]}");
        assertThat(internal.post("/internal/v1/workers/heartbeat", bytes).status()).isEqualTo(200);
        assertThat(workerOf(create(http, "fourth"))).isEqualTo("w-small");
    }

    @Test
    void drainingMovesEveryDatabaseAndTheWorkerGetsNoNewOnes() {
        Http http = new Http(port, TOKEN);
        StandInWorker a = worker("w-a", 1000);
        String one = create(http, "one");
        String two = create(http, "two");
        assertThat(workerOf(one)).isEqualTo("w-a");
        assertThat(workerOf(two)).isEqualTo("w-a");

        // the only live worker cannot be drained: its databases would have nowhere to go
        Http.Response last = http.post("/v1/workers/w-a/drain", "");
        assertThat(last.status()).isEqualTo(409);
        assertThat(last.json().get("code").asString()).isEqualTo("last_live_worker");

        StandInWorker b = worker("w-b", 10);
        Http.Response drained = http.post("/v1/workers/w-a/drain", "");
        assertThat(drained.status()).as(drained.body()).isEqualTo(200);
        assertThat(drained.json().at("/worker/drain/state").asString()).isIn("draining", "drained");
        await(() -> "w-b".equals(workerOf(one)) && "w-b".equals(workerOf(two)));
        await(() -> "drained".equals(http.get("/v1/workers/w-a").json().at("/worker/drain/state").asString()));
        assertThat(http.get("/v1/workers/w-a").json().at("/worker/drain/remaining").asLong()).isZero();

        // each move: bulk copy to the target, fence on the source, catch-up to the fenced frame, delete on the source
        for (String id : List.of(one, two)) {
            List<String> onTarget = b.callsFor(id).stream().map(StandInWorker.Call::method).toList();
            assertThat(onTarget).containsSubsequence("POST /import", "POST /import");
            List<StandInWorker.Call> imports = b.callsFor(id).stream().filter(c -> c.method().equals("POST /import")).toList();
            assertThat(imports.get(0).body()).contains(a.url()).doesNotContain("until");
            assertThat(imports.get(imports.size() - 1).body()).contains("\"until\":" + StandInWorker.FENCED_FRAME);
            assertThat(imports.get(0).put().keys()).as("the keys travel with the database").isNotEmpty();
            assertThat(a.callsFor(id).stream().map(StandInWorker.Call::method).toList())
                    .containsSubsequence("POST /fence", "DELETE");
        }
        assertThat(http.get(DBS + "/one").json().at("/database/worker_status").asString()).isEqualTo("up");

        // a draining worker gets no new databases, though it has more room
        String three = create(http, "three");
        assertThat(workerOf(three)).isEqualTo("w-b");
        // undrain: it takes databases again (it is the least loaded now)
        assertThat(http.delete("/v1/workers/w-a/drain").json().at("/worker/drain").isNull()).isTrue();
        assertThat(workerOf(create(http, "four"))).isEqualTo("w-a");
        assertThat(new Http(port, null).get("/actuator/prometheus").body())
                .containsPattern("(?m)^platform_database_moves_completed_total 2\\.0$")
                .containsPattern("(?m)^platform_database_moves 0\\.0$");
    }

    @Test
    void aTargetThatFailsMidCopyLiftsTheFenceAndTheMoveGoesElsewhere() {
        Http http = new Http(port, TOKEN);
        StandInWorker a = worker("w-a", 1000);
        String id = create(http, "moving");
        StandInWorker b = worker("w-b", 10);
        b.failNext(1_000_000);
        assertThat(http.post("/v1/workers/w-a/drain", "").status()).isEqualTo(200);
        // w-b fails every copy: the move is retried, the error shown, and the source keeps the database
        await(() -> http.get("/v1/workers/w-a").json().at("/worker/drain/last_error").asString("").contains("503"));
        assertThat(workerOf(id)).isEqualTo("w-a");
        assertThat(http.get(DBS + "/moving").json().at("/database/worker_status").asString()).isEqualTo("draining");
        // w-b dies; w-c arrives: the move is retargeted and completes there
        silence("w-b");
        worker("w-c", 10);
        await(() -> "w-c".equals(workerOf(id)));
        // every fence the source granted was lifted or ended by the delete after the switch (which follows the
        // switch's commit: wait for it)
        await(() -> a.callsFor(id).stream().map(StandInWorker.Call::method).toList().contains("DELETE"));
        List<String> onSource = a.callsFor(id).stream().map(StandInWorker.Call::method).toList();
        assertThat(onSource).endsWith("DELETE");
    }

    @Test
    void aDatabaseDeletedWhileItIsMovedLeavesNoCopyOnTheTarget() {
        Http http = new Http(port, TOKEN);
        StandInWorker a = worker("w-a", 1000);
        String id = create(http, "doomed");
        StandInWorker b = worker("w-b", 10);
        // deleted while the target catches up to the fence and installs its copy: the route switch then fails
        b.onCall(c -> {
            if (c.databaseId().equals(id) && c.method().equals("POST /import") && c.body().contains("\"until\"")) {
                assertThat(http.delete(DBS + "/doomed").status()).isEqualTo(200);
            }
        });
        assertThat(http.post("/v1/workers/w-a/drain", "").status()).isEqualTo(200);
        // the copy the target installed is deleted there (not only its staging area), and the move is done with
        await(() -> b.callsFor(id).stream().anyMatch(c -> c.method().equals("DELETE")));
        await(() -> "drained".equals(http.get("/v1/workers/w-a").json().at("/worker/drain/state").asString()));
        await(() -> new Http(port, null).get("/actuator/prometheus").body()
                .contains("\nplatform_database_moves 0.0"));
        assertThat(http.get(DBS + "/doomed").status()).isEqualTo(404);
        assertThat(a.callsFor(id).stream().map(StandInWorker.Call::method).toList()).contains("DELETE");
    }

    @Test
    void anAbandonedMoveLiftsTheFenceOnceTheSourceAnswersAgain() {
        Http http = new Http(port, TOKEN);
        StandInWorker a = worker("w-a", 1000);
        String id = create(http, "fenced");
        worker("w-b", 10).failWhen(c -> c.method().equals("POST /import") && c.body().contains("\"until\""));
        // the source answers the fence, then stops answering (crashed; its missed heartbeats not noticed yet)
        a.failWhen(c -> c.method().equals("DELETE /fence"));
        assertThat(http.post("/v1/workers/w-a/drain", "").status()).isEqualTo(200);
        await(() -> count(a, id, "DELETE /fence") >= 1);
        // the drain is stopped while the source cannot be unfenced: the move is abandoned, and its unfence retried
        assertThat(http.delete("/v1/workers/w-a/drain").status()).isEqualTo(200);
        long unfences = count(a, id, "DELETE /fence");
        await(() -> count(a, id, "DELETE /fence") >= unfences + 3);
        // the source is back: its fence is lifted, and the abandoned move goes
        a.failWhen(null);
        int mark = a.callsFor(id).size();
        await(() -> a.callsFor(id).stream().skip(mark).anyMatch(c -> c.method().equals("DELETE /fence")));
        await(() -> new Http(port, null).get("/actuator/prometheus").body()
                .contains("\nplatform_database_moves 0.0"));
        List<String> onSource = a.callsFor(id).stream().map(StandInWorker.Call::method).toList();
        assertThat(onSource.get(onSource.size() - 1)).isEqualTo("DELETE /fence");
        assertThat(workerOf(id)).isEqualTo("w-a");
    }

    @Test
    void aTargetThatStartsDrainingMidMoveKeepsNoCopy() {
        Http http = new Http(port, TOKEN);
        worker("w-a", 1000);
        String id = create(http, "retargeted");
        StandInWorker b = worker("w-b", 10);
        // w-b's catch-up fails (as when it installed the copy but its answer was lost)
        b.failWhen(c -> c.method().equals("POST /import") && c.body().contains("\"until\""));
        assertThat(http.post("/v1/workers/w-a/drain", "").status()).isEqualTo(200);
        await(() -> count(b, id, "POST /import") >= 2);
        // w-b is drained too while it answers: the move goes to w-c, and w-b keeps no copy, staged or installed
        worker("w-c", 10);
        assertThat(http.post("/v1/workers/w-b/drain", "").status()).isEqualTo(200);
        await(() -> "w-c".equals(workerOf(id)));
        assertThat(b.callsFor(id).stream().map(StandInWorker.Call::method).toList()).contains("DELETE /import", "DELETE");
    }

    @Test
    void aTargetThatDiedAfterInstallingItsCopyDeletesThatCopyWhenItIsBack() {
        Http http = new Http(port, TOKEN);
        worker("w-a", 1000);
        String id = create(http, "orphaned");
        StandInWorker b = worker("w-b", 10);
        String bBeat = beats.get("w-b");
        java.util.concurrent.atomic.AtomicBoolean bDead = new java.util.concurrent.atomic.AtomicBoolean();
        // w-b installs the copy at the catch-up and dies before it answers: no heartbeat, no call answered
        b.onCall(c -> {
            if (c.databaseId().equals(id) && c.method().equals("POST /import") && c.body().contains("\"until\"")) {
                bDead.set(true);
                silence("w-b");
            }
        });
        b.failWhen(c -> bDead.get());
        assertThat(http.post("/v1/workers/w-a/drain", "").status()).isEqualTo(200);
        await(bDead::get);
        // w-b is marked down; the move goes to w-c and completes there, while w-b still holds its installed copy
        StandInWorker c = worker("w-c", 10);
        await(() -> "w-c".equals(workerOf(id)));
        assertThat(b.hosts(id)).isTrue();
        // w-b is back: the copy it holds is not routed to it, and is deleted there (served, it would be stale)
        b.onCall(null);
        bDead.set(false);
        beats.put("w-b", bBeat);
        await(() -> !b.hosts(id));
        assertThat(b.listed.get()).isPositive();
        await(() -> new Http(port, null).get("/actuator/prometheus").body()
                .contains("\nplatform_database_moves 0.0"));
        // the routed copy was never touched by the sweep
        assertThat(c.hosts(id)).isTrue();
        assertThat(c.callsFor(id).stream().map(StandInWorker.Call::method).toList()).doesNotContain("DELETE");
        assertThat(workerOf(id)).isEqualTo("w-c");
    }

    @Test
    void aStartingWorkerIsToldWhichOfItsCopiesNotToServe() {
        Http http = new Http(port, TOKEN);
        Http internal = new Http(port, SECRET);
        worker("w-a", 1000);
        String id = create(http, "routed");
        String check = "{\"workerId\":\"%s\",\"databaseIds\":[\"" + id + "\",\"gone-db\"]}";
        // w-a hosts `routed`; a copy of a database that no longer exists is not to be served anywhere
        Http.Response onA = internal.post("/internal/v1/workers/strays", check.formatted("w-a"));
        assertThat(onA.status()).as(onA.body()).isEqualTo(200);
        assertThat(onA.json().at("/strays").toString()).isEqualTo("[\"gone-db\"]");
        // another worker holding a copy of `routed` must not serve it, and is told so again when it asks again
        for (int i = 0; i < 2; i++) {
            Http.Response onX = internal.post("/internal/v1/workers/strays", check.formatted("w-x"));
            assertThat(onX.json().at("/strays").toString()).isEqualTo("[\"" + id + "\",\"gone-db\"]");
        }
        assertThat(workerOf(id)).isEqualTo("w-a");
        // the abandoned moves recorded for them go (w-x is not registered: nothing to undo there), w-a's copy stays
        await(() -> new Http(port, null).get("/actuator/prometheus").body().contains("\nplatform_database_moves 0.0"));
        assertThat(http.get(DBS + "/routed").json().at("/database/state").asString()).isEqualTo("ready");
        // bad bodies are refused with a typed error, and only the service secret may ask
        for (String bad : List.of("", "{}", "{\"workerId\":\"w-a\"}", "{\"workerId\":\"\",\"databaseIds\":[]}",
                "{\"workerId\":\"w-a\",\"databaseIds\":[null]}", "{\"workerId\":\"w-a\",\"databaseIds\":\"x\"}")) {
            Http.Response r = internal.post("/internal/v1/workers/strays", bad);
            assertThat(r.status()).as(bad + " → " + r.body()).isEqualTo(400);
        }
        assertThat(new Http(port, TOKEN).post("/internal/v1/workers/strays", check.formatted("w-a")).status())
                .isEqualTo(401);
    }

    private static long count(StandInWorker w, String id, String method) {
        return w.callsFor(id).stream().filter(c -> c.method().equals(method)).count();
    }

    @Test
    void theWorkersRoutesAreForThePlatformAdministratorOnly() {
        Http admin = new Http(port, TOKEN);
        worker("w-a", 10);
        assertThat(admin.get("/v1/workers").json().at("/workers/0/id").asString()).isEqualTo("w-a");
        assertThat(admin.get("/v1/workers/w-a").json().at("/worker/status").asString()).isEqualTo("up");
        assertThat(admin.get("/v1/workers/nope").json().get("code").asString()).isEqualTo("worker_not_found");
        assertThat(admin.post("/v1/workers/nope/drain", "").status()).isEqualTo(404);
        Http.Response user = admin.post("/v1/users", "{\"username\":\"bob\",\"email\":\"bob@example.com\"}");
        assertThat(user.status()).as(user.body()).isEqualTo(200);
        Http bob = new Http(port, user.json().get("token").asString());
        for (Http.Response r : List.of(bob.get("/v1/workers"), bob.get("/v1/workers/w-a"),
                bob.post("/v1/workers/w-a/drain", ""), bob.delete("/v1/workers/w-a/drain"))) {
            assertThat(r.status()).as(r.body()).isEqualTo(403);
            assertThat(r.json().get("code").asString()).isEqualTo("forbidden");
        }
        assertThat(new Http(port, null).get("/v1/workers").status()).isEqualTo(401);
        assertThat(new Http(port, SECRET).get("/v1/workers").status()).isEqualTo(401);
    }

    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(condition);
    }
}
