package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import dev.libsqlplatform.dataplane.storage.BlockedWaits;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Concurrent autocommit writes share transactions (GroupCommit); each must still behave as if it ran alone:
 * its own result, its own error, nothing lost, nothing applied twice.
 */
class GroupCommitTest {
    @TempDir
    static Path dir;
    static Worker w;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir);
        token = w.token(w.createDatabase("grouped", "acme"));
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    @Test
    void concurrentInsertsKeepTheirOwnResultsAndErrors() throws Exception {
        w.exec(token, "CREATE TABLE g (id INTEGER PRIMARY KEY, client INTEGER, n INTEGER, UNIQUE (client, n))");
        int clients = 12;
        int perClient = 40;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            int client = c;
            futures.add(pool.submit(() -> {
                List<String> problems = new ArrayList<>();
                for (int n = 0; n < perClient; n++) {
                    // client 0 sends every second row twice: the repeat must fail alone, with its own error
                    boolean repeat = client == 0 && n % 2 == 1;
                    int value = repeat ? n - 1 : n;
                    JsonNode r = w.exec(token, "INSERT INTO g (client, n) VALUES (?, ?)",
                            "{\"type\":\"integer\",\"value\":\"" + client + "\"}",
                            "{\"type\":\"integer\",\"value\":\"" + value + "\"}");
                    if (repeat) {
                        if (!r.path("message").asString().contains("UNIQUE")) {
                            problems.add("repeat " + client + "/" + value + " answered " + r);
                        }
                        continue;
                    }
                    if (r.path("affected_row_count").asLong() != 1 || r.path("last_insert_rowid").isNull()) {
                        problems.add("insert " + client + "/" + value + " answered " + r);
                        continue;
                    }
                    // the rowid reported is the row this very statement inserted
                    JsonNode row = w.exec(token, "SELECT client, n FROM g WHERE id = ?",
                            "{\"type\":\"integer\",\"value\":\"" + r.path("last_insert_rowid").asString() + "\"}");
                    String got = row.at("/rows/0/0/value").asString() + "/" + row.at("/rows/0/1/value").asString();
                    if (!got.equals(client + "/" + value)) {
                        problems.add("insert " + client + "/" + value + " reported rowid of " + got);
                    }
                }
                return problems;
            }));
        }
        List<String> problems = new ArrayList<>();
        for (Future<List<String>> f : futures) {
            problems.addAll(f.get());
        }
        pool.shutdown();
        assertThat(problems).isEmpty();
        int expected = (clients - 1) * perClient + perClient / 2;
        assertThat(w.exec(token, "SELECT count(*) FROM g").at("/rows/0/0/value").asString())
                .isEqualTo(String.valueOf(expected));
        assertThat(w.exec(token, "SELECT count(*) FROM g WHERE client = 0").at("/rows/0/0/value").asString())
                .isEqualTo(String.valueOf(perClient / 2));
    }

    @Test
    void groupedWritesWaitForAnOpenTransactionAndSeeItsOutcome() throws Exception {
        w.exec(token, "CREATE TABLE h (v INTEGER UNIQUE)");
        JsonNode begun = w.pipeline(token, "{\"baton\":null,\"requests\":[" + Worker.stmtReq("BEGIN IMMEDIATE") + ","
                + Worker.stmtReq("INSERT INTO h VALUES (1)") + "]}");
        String baton = begun.get("baton").asString();
        double before = grouped();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            // 1 collides with the transaction's row once it commits; 2 and 3 do not
            List<Future<JsonNode>> waiting = new ArrayList<>();
            for (int v = 1; v <= 3; v++) {
                String sql = "INSERT INTO h VALUES (" + v + ")";
                waiting.add(pool.submit(() -> w.exec(token, sql)));
            }
            // all three wait before the COMMIT, admitted and queued for a group whose leader waits for the
            // transaction's writer (the front's single writes wait without a thread each)
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> w.ctx.getBean(BlockedWaits.class).now() >= 1
                    && grouped() - before == 3);
            JsonNode committed = w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":["
                    + Worker.stmtReq("COMMIT") + ",{\"type\":\"close\"}]}");
            assertThat(committed.at("/results/0/type").asString()).isEqualTo("ok");
            assertThat(waiting.get(0).get().path("message").asString()).contains("UNIQUE");
            assertThat(waiting.get(1).get().path("affected_row_count").asLong()).isEqualTo(1);
            assertThat(waiting.get(2).get().path("affected_row_count").asLong()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(w.exec(token, "SELECT group_concat(v) FROM (SELECT v FROM h ORDER BY v)").at("/rows/0/0/value")
                .asString()).isEqualTo("1,2,3");
    }

    private static double grouped() {
        return w.ctx.getBean(MeterRegistry.class).counter("worker.sql.front.requests", "ran", "grouped").count();
    }
}
