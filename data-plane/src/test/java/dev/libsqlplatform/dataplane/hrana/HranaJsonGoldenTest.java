package dev.libsqlplatform.dataplane.hrana;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.storage.Column;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exact bytes the codec writes for a fixed set of responses, compared with reviewed files under
 * {@code src/test/resources/golden/} (as sqld's insta snapshots): a change of the wire format is a visible diff
 * of those files, never a side effect. Regenerate after an intended change with
 * {@code mvn -pl data-plane verify -Dtest=HranaJsonGoldenTest -Dgolden.update=true} and review the diff.
 */
class HranaJsonGoldenTest {
    private static final Path DIR = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    // ---- fixtures: every value type, errors, batches with skipped steps, describe, cursor, legacy ----

    private static Column col(String name, String decltype) {
        return new Column(name, decltype);
    }

    private static Proto.Error err(String message, String code) {
        return new Proto.Error(message, HranaError.valueOf(code));
    }

    private static Proto.StmtResult stmt(List<Column> cols, List<Object[]> rows, long affected, Long lastRowid,
                                         long rowsRead, double ms) {
        return new Proto.StmtResult(cols, rows, affected, lastRowid, rowsRead, affected, ms);
    }

    private static Proto.StreamResult ok(String type, Proto.Result result) {
        return new Proto.StreamResult(new Proto.StreamResponse(type, result, null), null);
    }

    private static Proto.StreamResult failed(Proto.Error e) {
        return new Proto.StreamResult(null, e);
    }

    /** One column of each storage class, and the edge values of each. */
    static Proto.StmtResult everyValueType() {
        List<Column> cols = List.of(col("i", "INTEGER"), col("f", "REAL"), col("t", "TEXT"), col("b", "BLOB"),
                col("n", null), col(null, null));
        List<Object[]> rows = Arrays.asList(
                new Object[] {1L, 1.5, "plain", new byte[] {1, 2, 3}, null, "x"},
                new Object[] {Long.MAX_VALUE, -0.0, "\"quoted\" \\ back\nslash\ttab \u0001", new byte[0], null, ""},
                new Object[] {Long.MIN_VALUE, 1.0e300, "unicode \u00e9\u4e2d\ud83d\ude00", new byte[] {(byte) 0xff, 0, 0x7f, 0x10},
                        null, 42L},
                new Object[] {0L, 3.0, "</script>", new byte[] {0x61}, null, 0.1});
        return stmt(cols, rows, 0, null, 4, 0.0125);
    }

    static Proto.PipelineResponse values() {
        return new Proto.PipelineResponse("baton-1", List.of(ok("execute", everyValueType())));
    }

    static Proto.PipelineResponse writes() {
        Proto.StmtResult insert = stmt(List.of(), List.of(), 3, 9_007_199_254_740_993L, 0, 1.0);
        Proto.StmtResult slow = stmt(List.of(col("c", "TEXT")), List.of(), 0, null, 1, 12345.6789);
        return new Proto.PipelineResponse("baton-2", List.of(ok("execute", insert), ok("execute", slow)));
    }

    static Proto.PipelineResponse errors() {
        return new Proto.PipelineResponse(null, List.of(
                failed(err("SQLite error: UNIQUE constraint failed: t.id", "SQLITE_CONSTRAINT")),
                failed(err("SQL string contains more than one statement", "SQL_MANY_STATEMENTS")),
                failed(err("this token is read-only: it may not write to the database", "PERMISSION_DENIED")),
                failed(err("reads and writes are blocked for this database: quota", "BLOCKED")),
                failed(err("The stream was closed by an earlier `close` request", "STREAM_CLOSED"))));
    }

    /** A batch as a client's transaction sends it: BEGIN, steps conditioned on the previous ones, COMMIT or ROLLBACK. */
    static Proto.BatchResult batch() {
        Proto.StmtResult begin = stmt(List.of(), List.of(), 0, null, 0, 0.004);
        Proto.StmtResult select = stmt(List.of(col("x", null)), List.<Object[]>of(new Object[] {7L}), 0, null, 1, 0.02);
        Proto.StmtResult rollback = stmt(List.of(), List.of(), 0, null, 0, 0.001);
        return new Proto.BatchResult(
                Arrays.asList(begin, select, null, null, rollback),
                Arrays.asList(null, null, err("SQLite error: no such table: missing", "SQLITE_ERROR"), null, null));
    }

    static Proto.PipelineResponse batches() {
        return new Proto.PipelineResponse("baton-3", List.of(ok("batch", batch()), ok("batch",
                new Proto.BatchResult(List.of(), List.of()))));
    }

    static Proto.PipelineResponse others() {
        Proto.DescribeResult describe = new Proto.DescribeResult(List.of("?1", ":name"),
                List.of(col("a", "INTEGER"), col("b", null)), false, true);
        Proto.DescribeResult explain = new Proto.DescribeResult(List.of(), List.of(), true, true);
        return new Proto.PipelineResponse(null, List.of(
                ok("describe", describe), ok("describe", explain), ok("store_sql", null), ok("close_sql", null),
                ok("sequence", null),
                new Proto.StreamResult(new Proto.StreamResponse("get_autocommit", null, true), null),
                new Proto.StreamResult(new Proto.StreamResponse("get_autocommit", null, false), null),
                ok("close", null)));
    }

    static Proto.PipelineResponse cursor() {
        return new Proto.PipelineResponse("baton-4", List.of(ok("batch", batch())));
    }

    static Proto.PipelineResponse failedCursor() {
        return new Proto.PipelineResponse(null, List.of(failed(err("SQLite error: near \"SELEC\": syntax error",
                "SQLITE_ERROR"))));
    }

    static List<HranaService.LegacyResult> legacy() {
        Proto.StmtResult values = everyValueType();
        Proto.StmtResult empty = stmt(List.of(), List.of(), 1, 5L, 0, 0.3);
        return List.of(new HranaService.LegacyResult(values, null), new HranaService.LegacyResult(empty, null),
                new HranaService.LegacyResult(null, err("SQLite error: no such table: t", "SQLITE_ERROR")));
    }

    // ---- the comparisons ----

    @Test
    void pipelineValues() throws IOException {
        golden("pipeline-values.json", pipeline(values()));
    }

    @Test
    void pipelineWrites() throws IOException {
        golden("pipeline-writes.json", pipeline(writes()));
    }

    @Test
    void pipelineErrors() throws IOException {
        golden("pipeline-errors.json", pipeline(errors()));
    }

    @Test
    void pipelineBatches() throws IOException {
        golden("pipeline-batches.json", pipeline(batches()));
    }

    @Test
    void pipelineDescribeAndStreamRequests() throws IOException {
        golden("pipeline-other-requests.json", pipeline(others()));
    }

    @Test
    void cursorEntries() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HranaJson.writeCursor(cursor(), out);
        golden("cursor-batch.ndjson", out.toByteArray());
    }

    @Test
    void cursorError() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HranaJson.writeCursor(failedCursor(), out);
        golden("cursor-error.ndjson", out.toByteArray());
    }

    @Test
    void legacyResults() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HranaJson.writeLegacy(legacy(), out);
        golden("legacy-results.json", out.toByteArray());
    }

    @Test
    void errorBody() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HranaJson.writeErrorBody("the stream has expired \"baton\"", "STREAM_EXPIRED", out);
        golden("error-body.json", out.toByteArray());
    }

    private static byte[] pipeline(Proto.PipelineResponse resp) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HranaJson.writePipeline(resp, out);
        return out.toByteArray();
    }

    private static void golden(String name, byte[] actual) throws IOException {
        Path file = DIR.resolve(name);
        if (UPDATE) {
            Files.createDirectories(DIR);
            Files.write(file, actual);
            return;
        }
        assertThat(file).as("golden file %s (create it with -Dgolden.update=true)", file).exists();
        byte[] expected = Files.readAllBytes(file);
        // compared as text first for a readable diff, then byte for byte
        assertThat(new String(actual, StandardCharsets.UTF_8)).as(name)
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
        assertThat(actual).as(name).isEqualTo(expected);
    }
}
