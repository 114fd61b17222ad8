package dev.libsqlplatform.dataplane;

import static dev.libsqlplatform.dataplane.Worker.stmtReq;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class HranaHttpTest {
    @TempDir
    static Path dir;
    static Worker w;
    static String db;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        w = new Worker(dir, "platform.worker.stream-idle-timeout=1s");
        db = w.createDatabase("main", "acme");
        token = w.token(db);
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    @Test
    void probesAndHealth() throws Exception {
        assertThat(w.send("GET", "/v2", null, null, null).statusCode()).isEqualTo(200);
        assertThat(w.send("GET", "/v3", null, null, null).statusCode()).isEqualTo(200);
        assertThat(w.send("GET", "/health", null, null, null).statusCode()).isEqualTo(200);
        assertThat(w.send("GET", "/version", null, null, null).body()).contains("data-plane");
        assertThat(w.send("GET", "/actuator/health", null, null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> prom = w.send("GET", "/actuator/prometheus", null, null, null);
        assertThat(prom.statusCode()).isEqualTo(200);
        assertThat(prom.body()).contains("worker_databases");
    }

    @Test
    void valuesRoundTrip() throws Exception {
        w.exec(token, "CREATE TABLE vals (n, i INTEGER, f REAL, t TEXT, b BLOB)");
        JsonNode ins = w.exec(token, "INSERT INTO vals VALUES (?, ?, ?, ?, ?)",
                "{\"type\":\"null\"}", "{\"type\":\"integer\",\"value\":\"9223372036854775807\"}",
                "{\"type\":\"float\",\"value\":1.5}", "{\"type\":\"text\",\"value\":\"héllo ✓ 😀\"}",
                "{\"type\":\"blob\",\"base64\":\"AAEC/w==\"}");
        assertThat(ins.get("affected_row_count").asLong()).isEqualTo(1);
        assertThat(ins.get("last_insert_rowid").asString()).isEqualTo("1");
        JsonNode r = w.exec(token, "SELECT n, i, f, t, b, -9223372036854775808, 42.0 FROM vals");
        JsonNode row = r.get("rows").get(0);
        assertThat(row.get(0).get("type").asString()).isEqualTo("null");
        assertThat(row.get(1).get("type").asString()).isEqualTo("integer");
        assertThat(row.get(1).get("value").isString()).isTrue();
        assertThat(row.get(1).get("value").asString()).isEqualTo("9223372036854775807");
        assertThat(row.get(2).get("type").asString()).isEqualTo("float");
        assertThat(row.get(2).get("value").isNumber()).isTrue();
        assertThat(row.get(2).get("value").asDouble()).isEqualTo(1.5);
        assertThat(row.get(3).get("value").asString()).isEqualTo("héllo ✓ 😀");
        assertThat(row.get(4).get("type").asString()).isEqualTo("blob");
        assertThat(row.get(4).get("base64").asString()).isEqualTo("AAEC/w==");
        assertThat(row.get(5).get("value").asString()).isEqualTo("-9223372036854775808");
        assertThat(row.get(6).get("type").asString()).isEqualTo("float");
        assertThat(r.get("last_insert_rowid").isNull()).isTrue();
        assertThat(r.get("affected_row_count").asLong()).isZero();
        assertThat(r.get("rows_read").asLong()).isEqualTo(1);
        assertThat(r.has("query_duration_ms")).isTrue();
    }

    @Test
    void floatsFromJsNumbersBindAsReal() throws Exception {
        JsonNode r = w.exec(token, "SELECT typeof(?), ? + 1", "{\"type\":\"float\",\"value\":42}",
                "{\"type\":\"float\",\"value\":42}");
        assertThat(r.get("rows").get(0).get(0).get("value").asString()).isEqualTo("real");
        assertThat(r.get("rows").get(0).get(1).get("value").asDouble()).isEqualTo(43.0);
    }

    @Test
    void namedArgumentsWithoutPrefix() throws Exception {
        JsonNode resp = w.pipeline(token, "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":"
                + "\"SELECT :a || @b || $c\",\"named_args\":[{\"name\":\"a\",\"value\":{\"type\":\"text\",\"value\":\"x\"}},"
                + "{\"name\":\"b\",\"value\":{\"type\":\"text\",\"value\":\"y\"}},"
                + "{\"name\":\"$c\",\"value\":{\"type\":\"text\",\"value\":\"z\"}}]}},{\"type\":\"close\"}]}");
        assertThat(resp.at("/results/0/response/result/rows/0/0/value").asString()).isEqualTo("xyz");
        assertThat(resp.get("baton").isNull()).isTrue();
        assertThat(resp.get("base_url").isNull()).isTrue();
    }

    @Test
    void decltypeIsVerbatim() throws Exception {
        w.exec(token, "CREATE TABLE decl (a VARCHAR(10), b DECIMAL(10, 2), c)");
        JsonNode r = w.exec(token, "SELECT a, b, c, 1 AS d FROM decl");
        JsonNode cols = r.get("cols");
        assertThat(cols.get(0).get("decltype").asString()).isEqualTo("VARCHAR(10)");
        assertThat(cols.get(1).get("decltype").asString()).isEqualTo("DECIMAL(10, 2)");
        assertThat(cols.get(2).get("decltype").isNull()).isTrue();
        assertThat(cols.get(3).get("name").asString()).isEqualTo("d");
    }

    @Test
    void sqlErrorsAreHranaErrors() throws Exception {
        w.exec(token, "CREATE TABLE uniq (id INTEGER PRIMARY KEY)");
        w.exec(token, "INSERT INTO uniq VALUES (1)");
        JsonNode err = w.exec(token, "INSERT INTO uniq VALUES (1)");
        assertThat(err.get("code").asString()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(err.get("message").asString()).contains("UNIQUE constraint failed");
        JsonNode syntax = w.exec(token, "SELEC 1");
        assertThat(syntax.get("code").asString()).isEqualTo("SQLITE_ERROR");
        JsonNode two = w.exec(token, "SELECT 1; SELECT 2");
        assertThat(two.get("code").asString()).isEqualTo("SQL_MANY_STATEMENTS");
    }

    @Test
    void securityRefusals() throws Exception {
        for (String sql : List.of("ATTACH DATABASE '/tmp/x.db' AS x", "attach '/etc/passwd' as p", "DETACH x",
                "VACUUM INTO '/tmp/copy.db'", "SELECT load_extension('/tmp/evil')", "PRAGMA journal_mode=DELETE",
                "PRAGMA synchronous = OFF", "PRAGMA max_page_count = 99999999", "PRAGMA page_size = 8192",
                "PRAGMA writable_schema = 1", "PRAGMA other.table_info(t)", "/* c */ -- x\n ATTACH 'a' AS b")) {
            JsonNode err = w.exec(token, sql);
            assertThat(err.get("code").asString()).as(sql).isEqualTo("SQL_NOT_ALLOWED");
        }
        assertThat(w.exec(token, "ATTACH 'x' AS y").get("message").asString())
                .isEqualTo("ATTACH is not allowed: a database can only reach its own file");
        // quoted text mentioning the words is fine
        JsonNode ok = w.exec(token, "SELECT 'ATTACH DATABASE x', \"load_extension(\" FROM (SELECT 1 AS \"load_extension(\")");
        assertThat(ok.has("rows")).isTrue();
        assertThat(w.exec(token, "PRAGMA table_info(uniq_missing)").has("rows")).isTrue();
        assertThat(w.exec(token, "PRAGMA foreign_keys = ON").has("rows")).isTrue();
        assertThat(w.exec(token, "PRAGMA user_version = 7").has("rows")).isTrue();
        assertThat(w.exec(token, "PRAGMA user_version").at("/rows/0/0/value").asString()).isEqualTo("7");
        assertThat(w.exec(token, "PRAGMA integrity_check").at("/rows/0/0/value").asString()).isEqualTo("ok");
        assertThat(w.exec(token, "PRAGMA page_size").at("/rows/0/0/value").asString()).isEqualTo("4096");
        // the connection-level limit holds even if the guard were bypassed: the pragma-function form can't attach
        assertThat(w.exec(token, "SELECT * FROM pragma_database_list").at("/rows").size()).isEqualTo(1);
    }

    @Test
    void batchWithConditionsRollsBackAtomically() throws Exception {
        w.exec(token, "CREATE TABLE acct (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)");
        // the shape @libsql/client sends for batch(): BEGIN, steps chained on ok, COMMIT, ROLLBACK if not ok
        String body = "{\"baton\":null,\"requests\":["
                + "{\"type\":\"store_sql\",\"sql_id\":1,\"sql\":\"INSERT INTO acct VALUES (?, ?)\"},"
                + "{\"type\":\"batch\",\"batch\":{\"steps\":["
                + "{\"stmt\":{\"sql\":\"BEGIN DEFERRED\"}},"
                + "{\"condition\":{\"type\":\"ok\",\"step\":0},\"stmt\":{\"sql_id\":1,\"args\":[{\"type\":\"integer\",\"value\":\"1\"},{\"type\":\"integer\",\"value\":\"10\"}]}},"
                + "{\"condition\":{\"type\":\"ok\",\"step\":1},\"stmt\":{\"sql_id\":1,\"args\":[{\"type\":\"integer\",\"value\":\"2\"},{\"type\":\"null\"}]}},"
                + "{\"condition\":{\"type\":\"ok\",\"step\":2},\"stmt\":{\"sql\":\"COMMIT\"}},"
                + "{\"condition\":{\"type\":\"and\",\"conds\":[{\"type\":\"not\",\"cond\":{\"type\":\"ok\",\"step\":3}},{\"type\":\"not\",\"cond\":{\"type\":\"is_autocommit\"}}]},\"stmt\":{\"sql\":\"ROLLBACK\"}}"
                + "]}},{\"type\":\"close\"}]}";
        JsonNode resp = w.pipeline(token, body);
        JsonNode batch = resp.at("/results/1/response/result");
        assertThat(batch.get("step_results").get(0).isNull()).isFalse();
        assertThat(batch.get("step_results").get(1).isNull()).isFalse();
        assertThat(batch.get("step_errors").get(2).get("code").asString()).isEqualTo("SQLITE_CONSTRAINT");
        assertThat(batch.get("step_results").get(3).isNull()).isTrue();
        assertThat(batch.get("step_errors").get(3).isNull()).isTrue();
        assertThat(batch.get("step_results").get(4).isNull()).isFalse();
        assertThat(w.exec(token, "SELECT count(*) FROM acct").at("/rows/0/0/value").asString()).isEqualTo("0");
        // the writer is free again: a write goes through at once
        assertThat(w.exec(token, "INSERT INTO acct VALUES (5, 5)").get("affected_row_count").asLong()).isEqualTo(1);
    }

    @Test
    void interactiveTransactionAcrossRequests() throws Exception {
        w.exec(token, "CREATE TABLE tx (v)");
        JsonNode r1 = w.pipeline(token, "{\"baton\":null,\"requests\":[" + stmtReq("BEGIN IMMEDIATE") + ","
                + stmtReq("INSERT INTO tx VALUES (1)") + ",{\"type\":\"get_autocommit\"}]}");
        String baton = r1.get("baton").asString();
        assertThat(baton).isNotBlank();
        assertThat(r1.at("/results/2/response/is_autocommit").asBoolean()).isFalse();
        // another stream reads the committed state: nothing yet
        assertThat(w.exec(token, "SELECT count(*) FROM tx").at("/rows/0/0/value").asString()).isEqualTo("0");
        JsonNode r2 = w.pipeline(token, "{\"baton\":\"" + baton + "\",\"requests\":["
                + stmtReq("INSERT INTO tx VALUES (2)") + "," + stmtReq("COMMIT") + ",{\"type\":\"close\"}]}");
        assertThat(r2.get("results").get(1).get("type").asString()).isEqualTo("ok");
        assertThat(r2.get("baton").isNull()).isTrue();
        assertThat(w.exec(token, "SELECT count(*) FROM tx").at("/rows/0/0/value").asString()).isEqualTo("2");
        // a used baton is not valid anymore
        HttpResponse<String> reused = w.pipelineRaw(token, "{\"baton\":\"" + baton + "\",\"requests\":[]}");
        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(reused.body()).contains("STREAM_EXPIRED");
    }

    @Test
    void closeRollsBackOpenTransaction() throws Exception {
        w.exec(token, "CREATE TABLE cl (v)");
        w.pipeline(token, "{\"baton\":null,\"requests\":[" + stmtReq("BEGIN") + "," + stmtReq("INSERT INTO cl VALUES (1)")
                + ",{\"type\":\"close\"}]}");
        assertThat(w.exec(token, "SELECT count(*) FROM cl").at("/rows/0/0/value").asString()).isEqualTo("0");
    }

    @Test
    void idleStreamExpiresWithStreamExpiredAndReleasesWriter() throws Exception {
        w.exec(token, "CREATE TABLE exp (v)");
        io.micrometer.core.instrument.Gauge streams = w.ctx.getBean(io.micrometer.core.instrument.MeterRegistry.class)
                .get("worker.hrana.streams").gauge();
        double before = streams.value();
        JsonNode r1 = w.pipeline(token, "{\"baton\":null,\"requests\":[" + stmtReq("BEGIN IMMEDIATE") + ","
                + stmtReq("INSERT INTO exp VALUES (1)") + "]}");
        String baton = r1.get("baton").asString();
        assertThat(streams.value()).isEqualTo(before + 1);
        // the idle-stream sweeper closes it (idle timeout 1 s here): the stream count drops back
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> streams.value() <= before);
        HttpResponse<String> late = w.pipelineRaw(token, "{\"baton\":\"" + baton + "\",\"requests\":[" + stmtReq("COMMIT") + "]}");
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = Worker.JSON.readTree(late.body());
        assertThat(body.get("code").asString()).isEqualTo("STREAM_EXPIRED");
        assertThat(body.get("message").asString()).contains("expired");
        assertThat(w.exec(token, "SELECT count(*) FROM exp").at("/rows/0/0/value").asString()).isEqualTo("0");
        assertThat(w.exec(token, "INSERT INTO exp VALUES (2)").get("affected_row_count").asLong()).isEqualTo(1);
    }

    @Test
    void readonlyTransactionRefusesWrites() throws Exception {
        w.exec(token, "CREATE TABLE ro (v)");
        JsonNode r = w.pipeline(token, "{\"baton\":null,\"requests\":[" + stmtReq("BEGIN TRANSACTION READONLY") + ","
                + stmtReq("SELECT count(*) FROM ro") + "," + stmtReq("INSERT INTO ro VALUES (1)") + ","
                + stmtReq("WITH x AS (SELECT 1) INSERT INTO ro SELECT * FROM x") + ","
                + "{\"type\":\"get_autocommit\"}," + stmtReq("COMMIT") + ",{\"type\":\"close\"}]}");
        JsonNode results = r.get("results");
        assertThat(results.get(0).get("type").asString()).isEqualTo("ok");
        assertThat(results.get(1).get("type").asString()).isEqualTo("ok");
        assertThat(results.get(2).get("type").asString()).isEqualTo("error");
        assertThat(results.get(2).at("/error/message").asString()).contains("READONLY");
        assertThat(results.get(3).get("type").asString()).isEqualTo("error");
        assertThat(results.get(4).at("/response/is_autocommit").asBoolean()).isFalse();
        assertThat(results.get(5).get("type").asString()).isEqualTo("ok");
        assertThat(w.exec(token, "SELECT count(*) FROM ro").at("/rows/0/0/value").asString()).isEqualTo("0");
    }

    @Test
    void singleWriterUnderConcurrency() throws Exception {
        w.exec(token, "CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)");
        w.exec(token, "INSERT INTO counter VALUES (1, 0)");
        int threads = 8;
        int perThread = 15;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Integer>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                int failures = 0;
                for (int i = 0; i < perThread; i++) {
                    // read-modify-write across two HTTP requests inside one transaction
                    JsonNode r1 = w.pipeline(token, "{\"baton\":null,\"requests\":[" + stmtReq("BEGIN IMMEDIATE") + ","
                            + stmtReq("SELECT n FROM counter WHERE id = 1") + "]}");
                    if (!r1.at("/results/1/type").asString().equals("ok")) {
                        failures++;
                        continue;
                    }
                    long n = Long.parseLong(r1.at("/results/1/response/result/rows/0/0/value").asString());
                    JsonNode r2 = w.pipeline(token, "{\"baton\":\"" + r1.get("baton").asString() + "\",\"requests\":["
                            + stmtReq("UPDATE counter SET n = " + (n + 1) + " WHERE id = 1") + "," + stmtReq("COMMIT")
                            + ",{\"type\":\"close\"}]}");
                    if (!r2.at("/results/1/type").asString().equals("ok")) {
                        failures++;
                    }
                }
                return failures;
            }));
        }
        int failures = 0;
        for (Future<Integer> f : futures) {
            failures += f.get();
        }
        pool.shutdown();
        assertThat(failures).isZero();
        assertThat(w.exec(token, "SELECT n FROM counter").at("/rows/0/0/value").asString())
                .isEqualTo(String.valueOf(threads * perThread));
    }

    @Test
    void sequenceDescribeAndStoredSql() throws Exception {
        JsonNode r = w.pipeline(token, "{\"baton\":null,\"requests\":["
                + "{\"type\":\"sequence\",\"sql\":\"CREATE TABLE seq (a INTEGER, b TEXT); INSERT INTO seq VALUES (1, 'x;y'); INSERT INTO seq VALUES (2, 'z');\"},"
                + "{\"type\":\"describe\",\"sql\":\"SELECT a, b FROM seq WHERE a = :a AND b = ?\"},"
                + "{\"type\":\"store_sql\",\"sql_id\":7,\"sql\":\"SELECT count(*) FROM seq\"},"
                + "{\"type\":\"execute\",\"stmt\":{\"sql_id\":7}},"
                + "{\"type\":\"close_sql\",\"sql_id\":7},"
                + "{\"type\":\"sequence\",\"sql\":\"CREATE TRIGGER trg AFTER INSERT ON seq BEGIN UPDATE seq SET b = 'trig' WHERE a = new.a; END; INSERT INTO seq VALUES (3, 'w')\"},"
                + "{\"type\":\"close\"}]}");
        JsonNode results = r.get("results");
        assertThat(results.get(0).get("type").asString()).isEqualTo("ok");
        JsonNode d = results.get(1).at("/response/result");
        assertThat(d.get("params").get(0).get("name").asString()).isEqualTo(":a");
        assertThat(d.get("params").get(1).get("name").isNull()).isTrue();
        assertThat(d.get("cols").get(0).get("decltype").asString()).isEqualTo("INTEGER");
        assertThat(d.get("is_readonly").asBoolean()).isTrue();
        assertThat(d.get("is_explain").asBoolean()).isFalse();
        assertThat(results.get(3).at("/response/result/rows/0/0/value").asString()).isEqualTo("2");
        assertThat(results.get(5).get("type").asString()).isEqualTo("ok");
        assertThat(w.exec(token, "SELECT b FROM seq WHERE a = 3").at("/rows/0/0/value").asString()).isEqualTo("trig");
    }

    @Test
    void protocolErrorsAre400WithExactJsonContentType() throws Exception {
        HttpResponse<String> bad = w.pipelineRaw(token, "{not json");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(bad.body()).contains("HRANA_PROTO_ERROR");
        HttpResponse<String> unknown = w.pipelineRaw(token, "{\"baton\":null,\"requests\":[{\"type\":\"bogus\"}]}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("HRANA_PROTO_ERROR");
        HttpResponse<String> ok = w.pipelineRaw(token, "{\"baton\":null,\"requests\":[{\"type\":\"close\"}]}");
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void legacyQueryEndpoint() throws Exception {
        HttpResponse<String> r = w.send("POST", "/", "{\"statements\":[\"CREATE TABLE leg (a, b)\","
                + "{\"q\":\"INSERT INTO leg VALUES (?, ?)\",\"params\":[1, \"x\"]},"
                + "{\"q\":\"SELECT a, b FROM leg WHERE a = :a\",\"params\":{\":a\":1}},"
                + "\"SELECT nope FROM leg\"]}", "Bearer " + token, null);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = Worker.JSON.readTree(r.body());
        assertThat(body.get(2).at("/results/columns/0").asString()).isEqualTo("a");
        assertThat(body.get(2).at("/results/rows/0/0").asLong()).isEqualTo(1);
        assertThat(body.get(2).at("/results/rows/0/1").asString()).isEqualTo("x");
        assertThat(body.get(3).at("/error/message").asString()).contains("no such column");
    }

    @Test
    void cursorStreamsEntries() throws Exception {
        HttpResponse<String> r = w.send("POST", "/v3/cursor", "{\"baton\":null,\"batch\":{\"steps\":["
                + "{\"stmt\":{\"sql\":\"SELECT 1 AS one UNION ALL SELECT 2\"}},"
                + "{\"stmt\":{\"sql\":\"SELECT * FROM missing_table\"}}]}}", "Bearer " + token, null);
        assertThat(r.statusCode()).isEqualTo(200);
        String[] lines = r.body().split("\n");
        assertThat(Worker.JSON.readTree(lines[0]).has("baton")).isTrue();
        assertThat(Worker.JSON.readTree(lines[1]).get("type").asString()).isEqualTo("step_begin");
        assertThat(Worker.JSON.readTree(lines[2]).at("/row/0/value").asString()).isEqualTo("1");
        assertThat(Worker.JSON.readTree(lines[4]).get("type").asString()).isEqualTo("step_end");
        assertThat(Worker.JSON.readTree(lines[5]).get("type").asString()).isEqualTo("step_error");
        assertThat(Worker.JSON.readTree(lines[5]).at("/error/code").asString()).isEqualTo("SQLITE_ERROR");
    }

    @Test
    void storageCapGivesClearError() throws Exception {
        String capped = w.createDatabase(java.util.UUID.randomUUID().toString(), "capped", "acme", 64 * 4096, List.of());
        String t = w.token(capped);
        w.exec(t, "CREATE TABLE big (x)");
        JsonNode err = w.exec(t, "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 1000) "
                + "INSERT INTO big SELECT randomblob(1000) FROM c");
        assertThat(err.get("code").asString()).isEqualTo("SQLITE_FULL");
        assertThat(err.get("message").asString()).contains("storage limit");
    }
}
