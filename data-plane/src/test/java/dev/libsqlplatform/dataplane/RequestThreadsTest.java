package dev.libsqlplatform.dataplane;

import static dev.libsqlplatform.dataplane.Worker.stmtReq;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import dev.libsqlplatform.dataplane.storage.BlockedWaits;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The request pool starts with one thread here, so the group of writes waiting for the writer occupies it while the
 * COMMIT that frees the writer is queued behind it: the watchdog must add threads, or the COMMIT would only run after
 * the waiting writes gave up (busy timeout 30 s).
 */
class RequestThreadsTest {
    @TempDir
    Path dir;

    @Test
    void aCommitQueuedBehindWritersWaitingForItStillRuns() throws Exception {
        try (Worker w = new Worker(dir, "platform.worker.request-threads.base=1",
                "platform.worker.request-threads.max=16", "platform.worker.busy-timeout=30s")) {
            String token = w.token(w.createDatabase("starve", "acme"));
            w.exec(token, "CREATE TABLE t (v)");
            JsonNode begun = w.pipeline(token, "{\"baton\":null,\"requests\":[" + stmtReq("BEGIN IMMEDIATE") + ","
                    + stmtReq("INSERT INTO t VALUES ('in the transaction')") + "]}");
            String baton = begun.get("baton").asString();

            ExecutorService clients = Executors.newFixedThreadPool(4);
            try {
                List<CompletableFuture<JsonNode>> waiting = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int n = i;
                    waiting.add(CompletableFuture.supplyAsync(() -> {
                        try {
                            return w.exec(token, "INSERT INTO t VALUES ('waiting " + n + "')");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, clients));
                }
                // the four writes now wait for the writer the open transaction holds: the one leading their group on
                // the only request thread, the other three queued for it (single writes wait without a thread each)
                MeterRegistry m = w.ctx.getBean(MeterRegistry.class);
                Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> w.ctx.getBean(BlockedWaits.class).now() >= 1
                        && m.counter("worker.sql.front.requests", "ran", "grouped").count() >= 4);
                JsonNode committed = w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":["
                        + stmtReq("COMMIT") + ",{\"type\":\"close\"}]}");
                assertThat(committed.at("/results/0/type").asString()).isEqualTo("ok");
                // had the COMMIT starved behind them, each write would have failed with SQLITE_BUSY after the
                // busy timeout and only then let the COMMIT run: all four succeeding is the proof it did not
                for (CompletableFuture<JsonNode> f : waiting) {
                    assertThat(f.get(30, TimeUnit.SECONDS).get("affected_row_count").asLong()).isEqualTo(1);
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(w.exec(token, "SELECT count(*) FROM t").at("/rows/0/0/value").asString()).isEqualTo("5");
        }
    }
}
