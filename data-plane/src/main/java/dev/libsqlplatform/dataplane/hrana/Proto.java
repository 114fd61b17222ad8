package dev.libsqlplatform.dataplane.hrana;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.dataplane.storage.Column;
import java.util.List;

/** Hrana request and response structures (HRANA_3_SPEC.md "Shared structures" and HTTP pipeline bodies). */
public final class Proto {
    private Proto() {
    }

    /** {@code POST /v2|v3/pipeline} body. */
    public record PipelineRequest(String baton, List<StreamRequest> requests) {
    }

    /** One stream request; which fields are used depends on {@code type}. */
    public record StreamRequest(String type, Stmt stmt, Batch batch, String sql,
                                @JsonProperty("sql_id") Integer sqlId) {
    }

    public record Stmt(String sql, @JsonProperty("sql_id") Integer sqlId, List<Value> args,
                       @JsonProperty("named_args") List<NamedArg> namedArgs,
                       @JsonProperty("want_rows") Boolean wantRows) {
    }

    public record NamedArg(String name, Value value) {
    }

    /** A value as it arrives: {@code value} is a string for integers, a number for floats. */
    public record Value(String type, Object value, String base64) {
        public static final Value NULL = new Value("null", null, null);
    }

    public record Batch(List<BatchStep> steps) {
    }

    public record BatchStep(Cond condition, Stmt stmt) {
    }

    public record Cond(String type, Integer step, Cond cond, List<Cond> conds) {
    }

    /** {@code POST /v3/cursor} body. */
    public record CursorRequest(String baton, Batch batch) {
    }

    /**
     * A message a WebSocket client sends (HRANA_3_SPEC.md "Hrana over WebSocket"): {@code hello} with its
     * {@code jwt}, or a {@code request} with its id.
     */
    public record ClientMsg(String type, String jwt, Integer requestId, SocketRequest request) {
    }

    /**
     * A request of Hrana over WebSocket: the HTTP stream requests' fields plus the ids the WebSocket variant
     * names streams, cursors and stored SQL texts by.
     */
    public record SocketRequest(String type, Integer streamId, Integer cursorId, Integer maxCount, Stmt stmt,
                                Batch batch, String sql, Integer sqlId) {
        /** The same request as an HTTP stream request (the stream is already chosen). */
        StreamRequest asStreamRequest(Stmt resolvedStmt, Batch resolvedBatch, String resolvedSql) {
            return new StreamRequest(type, resolvedStmt, resolvedBatch, resolvedSql, null);
        }
    }

    // ---- results ----

    /** What a stream request returns besides its type; the codec switches over exactly these. */
    public sealed interface Result permits StmtResult, BatchResult, DescribeResult {
    }

    /**
     * Row values are null, Long, Double, String or byte[]. Columns are storage's own records: the executor's
     * output goes to the codec without a copy per column.
     */
    public record StmtResult(List<Column> cols, List<Object[]> rows, long affectedRowCount, Long lastInsertRowid,
                             long rowsRead, long rowsWritten, double queryDurationMs) implements Result {
    }

    /** A Hrana {@code Error}; the code is always one of {@link HranaError}. */
    public record Error(String message, HranaError code) {
    }

    public record BatchResult(List<StmtResult> stepResults, List<Error> stepErrors) implements Result {
    }

    public record DescribeResult(List<String> params, List<Column> cols, boolean isExplain, boolean isReadonly)
            implements Result {
    }

    /** The response to one stream request: {@code result} is null for requests without one. */
    public record StreamResponse(String type, Result result, Boolean isAutocommit) {
    }

    /** Exactly one of {@code response} and {@code error} is set. */
    public record StreamResult(StreamResponse response, Error error) {
    }

    public record PipelineResponse(String baton, List<StreamResult> results) {
    }
}
