package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.storage.Column;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON encoding of Hrana: requests are bound straight to {@link Proto} records (no JsonNode tree),
 * responses are streamed with a {@link JsonGenerator}. Integers are written as strings, floats as
 * numbers, blobs as padded base64, as HRANA_3_SPEC.md requires.
 */
public final class HranaJson {
    /**
     * Buffers are recycled per thread: the request threads are few and long-lived (RequestThreads), and
     * Jackson's default shared lock-free deque showed up at 5 % of the worker's CPU on point reads.
     */
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(JsonRecyclerPools.threadLocalPool()).build())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    // pre-encoded names and constant values: Jackson writes them as bytes instead of escaping each String
    private static final SerializableString N_AFFECTED_ROW_COUNT = new SerializedString("affected_row_count");
    private static final SerializableString N_BASE64 = new SerializedString("base64");
    private static final SerializableString N_BASE_URL = new SerializedString("base_url");
    private static final SerializableString N_BATON = new SerializedString("baton");
    private static final SerializableString N_CODE = new SerializedString("code");
    private static final SerializableString N_COLS = new SerializedString("cols");
    private static final SerializableString N_COLUMNS = new SerializedString("columns");
    private static final SerializableString N_DONE = new SerializedString("done");
    private static final SerializableString N_ENTRIES = new SerializedString("entries");
    private static final SerializableString N_REQUEST_ID = new SerializedString("request_id");
    private static final SerializableString N_DECLTYPE = new SerializedString("decltype");
    private static final SerializableString N_ERROR = new SerializedString("error");
    private static final SerializableString N_IS_AUTOCOMMIT = new SerializedString("is_autocommit");
    private static final SerializableString N_IS_EXPLAIN = new SerializedString("is_explain");
    private static final SerializableString N_IS_READONLY = new SerializedString("is_readonly");
    private static final SerializableString N_LAST_INSERT_ROWID = new SerializedString("last_insert_rowid");
    private static final SerializableString N_MESSAGE = new SerializedString("message");
    private static final SerializableString N_NAME = new SerializedString("name");
    private static final SerializableString N_PARAMS = new SerializedString("params");
    private static final SerializableString N_QUERY_DURATION_MS = new SerializedString("query_duration_ms");
    private static final SerializableString N_RESPONSE = new SerializedString("response");
    private static final SerializableString N_RESULT = new SerializedString("result");
    private static final SerializableString N_RESULTS = new SerializedString("results");
    private static final SerializableString N_ROW = new SerializedString("row");
    private static final SerializableString N_ROWS = new SerializedString("rows");
    private static final SerializableString N_ROWS_READ = new SerializedString("rows_read");
    private static final SerializableString N_ROWS_WRITTEN = new SerializedString("rows_written");
    private static final SerializableString N_STEP = new SerializedString("step");
    private static final SerializableString N_STEP_ERRORS = new SerializedString("step_errors");
    private static final SerializableString N_STEP_RESULTS = new SerializedString("step_results");
    private static final SerializableString N_TYPE = new SerializedString("type");
    private static final SerializableString N_VALUE = new SerializedString("value");
    private static final SerializableString V_BLOB = new SerializedString("blob");
    private static final SerializableString V_ERROR = new SerializedString("error");
    private static final SerializableString V_FLOAT = new SerializedString("float");
    private static final SerializableString V_INTEGER = new SerializedString("integer");
    private static final SerializableString V_NULL = new SerializedString("null");
    private static final SerializableString V_OK = new SerializedString("ok");
    private static final SerializableString V_ROW = new SerializedString("row");
    private static final SerializableString V_STEP_BEGIN = new SerializedString("step_begin");
    private static final SerializableString V_STEP_END = new SerializedString("step_end");
    private static final SerializableString V_STEP_ERROR = new SerializedString("step_error");
    private static final SerializableString V_TEXT = new SerializedString("text");

    private HranaJson() {
    }

    public static Proto.PipelineRequest readPipeline(InputStream in) {
        // createParser detects the encoding from the first bytes and fails on some (UCS-4 "2143"): in the try too
        try (JsonParser p = JSON.createParser(in)) {
            return readPipeline(p);
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    /** A body already read into memory: the parser skips the stream bootstrapping and the per-read checks. */
    public static Proto.PipelineRequest readPipeline(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            return readPipeline(p);
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    private static ApiException unreadable(JacksonException e) {
        ApiException body = ApiException.causeOf(e);
        if (body != null) {
            return body;
        }
        return new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                "Cannot deserialize client message from JSON: " + e.getOriginalMessage());
    }

    private static Proto.PipelineRequest readPipeline(JsonParser p) {
        try {
            Proto.PipelineRequest value = new PipelineReader(p).readPipeline();
            if (value == null) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the request body is empty");
            }
            return value;
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    private static <T> T read(InputStream in, Class<T> type) {
        try {
            T value = JSON.readValue(in, type);
            if (value == null) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the request body is empty");
            }
            return value;
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    // ---- Hrana over WebSocket: one JSON text frame per message ----

    /** A client message; an unreadable or empty one is a {@code HRANA_PROTO_ERROR}. */
    public static Proto.ClientMsg readClientMsg(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            Proto.ClientMsg msg = new PipelineReader(p).readClientMsg();
            if (msg == null) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the message is empty");
            }
            return msg;
        } catch (JacksonException e) {
            throw unreadable(e);
        }
    }

    static final String HELLO_OK = "{\"type\":\"hello_ok\"}";

    public static String helloError(String message, String code) {
        return socketMessage(128, "hello_error", null, N_ERROR, g -> writeError(g, message, code));
    }

    static String responseError(int requestId, String message, String code) {
        return socketMessage(128, "response_error", requestId, N_ERROR, g -> writeError(g, message, code));
    }

    /** {@code response_ok} carrying the same response object a pipeline result carries. */
    static String responseOk(int requestId, Proto.StreamResponse response) {
        return socketMessage(256, "response_ok", requestId, N_RESPONSE, g -> writeResponse(g, response));
    }

    /** {@code fetch_cursor}'s response: up to {@code max} entries of the cursor from where it stands. */
    static String fetchCursorOk(int requestId, SocketCursor cursor, int max) {
        return socketMessage(256, "response_ok", requestId, N_RESPONSE, g -> {
            g.writeStartObject();
            g.writeName(N_TYPE);
            g.writeString("fetch_cursor");
            g.writeName(N_ENTRIES);
            g.writeStartArray();
            for (int n = 0; n < max && !cursor.done(); n++) {
                writeCursorEntry(g, cursor);
                cursor.advance();
            }
            g.writeEndArray();
            g.writeName(N_DONE);
            g.writeBoolean(cursor.done());
            g.writeEndObject();
        });
    }

    /**
     * One WebSocket server message: {@code {"type", ["request_id",] <name>: <body>}}; a null {@code requestId} leaves
     * the id out ({@code hello_error} answers no request).
     */
    private static String socketMessage(int sizeHint, String type, Integer requestId, SerializableString name,
                                        java.util.function.Consumer<JsonGenerator> body) {
        java.io.StringWriter w = new java.io.StringWriter(sizeHint);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeName(N_TYPE);
            g.writeString(type);
            if (requestId != null) {
                g.writeName(N_REQUEST_ID);
                g.writeNumber(requestId.intValue());
            }
            g.writeName(name);
            body.accept(g);
            g.writeEndObject();
        }
        return w.toString();
    }

    private static void writeCursorEntry(JsonGenerator g, SocketCursor c) {
        g.writeStartObject();
        switch (c.kind()) {
            case ERROR -> {
                g.writeName(N_TYPE);
                g.writeString(V_ERROR);
                g.writeName(N_ERROR);
                writeError(g, c.error());
            }
            case STEP_BEGIN -> {
                g.writeName(N_TYPE);
                g.writeString(V_STEP_BEGIN);
                g.writeName(N_STEP);
                g.writeNumber(c.step());
                g.writeName(N_COLS);
                writeCols(g, c.result().cols());
            }
            case ROW -> {
                g.writeName(N_TYPE);
                g.writeString(V_ROW);
                g.writeName(N_ROW);
                g.writeStartArray();
                for (Object v : c.row()) {
                    writeValue(g, v);
                }
                g.writeEndArray();
            }
            case STEP_END -> {
                Proto.StmtResult sr = c.result();
                g.writeName(N_TYPE);
                g.writeString(V_STEP_END);
                g.writeName(N_AFFECTED_ROW_COUNT);
                g.writeNumber(sr.affectedRowCount());
                g.writeName(N_LAST_INSERT_ROWID);
                writeNullableString(g, sr.lastInsertRowid() == null ? null : Long.toString(sr.lastInsertRowid()));
            }
            case STEP_ERROR -> {
                g.writeName(N_TYPE);
                g.writeString(V_STEP_ERROR);
                g.writeName(N_STEP);
                g.writeNumber(c.step());
                g.writeName(N_ERROR);
                writeError(g, c.error());
            }
        }
        g.writeEndObject();
    }

    public static Proto.CursorRequest readCursor(InputStream in) {
        return read(in, Proto.CursorRequest.class);
    }

    /** Newline-delimited JSON: the {@code CursorRespBody}, then one {@code CursorEntry} per line. */
    public static void writeCursor(Proto.PipelineResponse resp, OutputStream out) throws java.io.IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeName(N_BATON);
            writeNullableString(g, resp.baton());
            g.writeName(N_BASE_URL);
            g.writeNull();
            g.writeEndObject();
            g.writeRaw('\n');
            Proto.StreamResult r = resp.results().get(0);
            if (r.error() != null) {
                g.writeStartObject();
                g.writeName(N_TYPE);
                g.writeString(V_ERROR);
                g.writeName(N_ERROR);
                writeError(g, r.error());
                g.writeEndObject();
                g.writeRaw('\n');
                return;
            }
            Proto.BatchResult br = (Proto.BatchResult) r.response().result();
            for (int i = 0; i < br.stepResults().size(); i++) {
                Proto.StmtResult sr = br.stepResults().get(i);
                Proto.Error err = br.stepErrors().get(i);
                if (sr != null) {
                    g.writeStartObject();
                    g.writeName(N_TYPE);
                    g.writeString(V_STEP_BEGIN);
                    g.writeName(N_STEP);
                    g.writeNumber(i);
                    g.writeName(N_COLS);
                    writeCols(g, sr.cols());
                    g.writeEndObject();
                    g.writeRaw('\n');
                    for (Object[] row : sr.rows()) {
                        g.writeStartObject();
                        g.writeName(N_TYPE);
                        g.writeString(V_ROW);
                        g.writeName(N_ROW);
                        g.writeStartArray();
                        for (Object v : row) {
                            writeValue(g, v);
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                        g.writeRaw('\n');
                    }
                    g.writeStartObject();
                    g.writeName(N_TYPE);
                    g.writeString(V_STEP_END);
                    g.writeName(N_AFFECTED_ROW_COUNT);
                    g.writeNumber(sr.affectedRowCount());
                    g.writeName(N_LAST_INSERT_ROWID);
                    writeNullableString(g, sr.lastInsertRowid() == null ? null : Long.toString(sr.lastInsertRowid()));
                    g.writeEndObject();
                    g.writeRaw('\n');
                } else if (err != null) {
                    g.writeStartObject();
                    g.writeName(N_TYPE);
                    g.writeString(V_STEP_ERROR);
                    g.writeName(N_STEP);
                    g.writeNumber(i);
                    g.writeName(N_ERROR);
                    writeError(g, err);
                    g.writeEndObject();
                    g.writeRaw('\n');
                }
            }
        }
    }

    public static void writePipeline(Proto.PipelineResponse resp, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeName(N_BATON);
            writeNullableString(g, resp.baton());
            g.writeName(N_BASE_URL);
            g.writeNull();
            g.writeName(N_RESULTS);
            g.writeStartArray();
            for (Proto.StreamResult r : resp.results()) {
                g.writeStartObject();
                if (r.error() != null) {
                    g.writeName(N_TYPE);
                    g.writeString(V_ERROR);
                    g.writeName(N_ERROR);
                    writeError(g, r.error());
                } else {
                    g.writeName(N_TYPE);
                    g.writeString(V_OK);
                    g.writeName(N_RESPONSE);
                    writeResponse(g, r.response());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
    }

    private static void writeResponse(JsonGenerator g, Proto.StreamResponse r) {
        g.writeStartObject();
        g.writeName(N_TYPE);
        g.writeString(r.type());
        Proto.Result result = r.result();
        if (result instanceof Proto.StmtResult sr) {
            g.writeName(N_RESULT);
            writeStmtResult(g, sr);
        } else if (result instanceof Proto.BatchResult br) {
            g.writeName(N_RESULT);
            writeBatchResult(g, br);
        } else if (result instanceof Proto.DescribeResult dr) {
            g.writeName(N_RESULT);
            writeDescribe(g, dr);
        }
        if (r.isAutocommit() != null) {
            g.writeName(N_IS_AUTOCOMMIT);
            g.writeBoolean(r.isAutocommit());
        }
        g.writeEndObject();
    }

    static void writeError(JsonGenerator g, Proto.Error e) {
        writeError(g, e.message(), e.code().name());
    }

    private static void writeError(JsonGenerator g, String message, String code) {
        g.writeStartObject();
        g.writeName(N_MESSAGE);
        g.writeString(message);
        g.writeName(N_CODE);
        writeNullableString(g, code);
        g.writeEndObject();
    }

    private static void writeNullableString(JsonGenerator g, String s) {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(s);
        }
    }

    private static void writeCols(JsonGenerator g, List<Column> cols) {
        g.writeStartArray();
        for (Column c : cols) {
            g.writeStartObject();
            g.writeName(N_NAME);
            writeNullableString(g, c.name());
            g.writeName(N_DECLTYPE);
            writeNullableString(g, c.decltype());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void writeStmtResult(JsonGenerator g, Proto.StmtResult r) {
        g.writeStartObject();
        g.writeName(N_COLS);
        writeCols(g, r.cols());
        g.writeName(N_ROWS);
        g.writeStartArray();
        for (Object[] row : r.rows()) {
            g.writeStartArray();
            for (Object v : row) {
                writeValue(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeName(N_AFFECTED_ROW_COUNT);
        g.writeNumber(r.affectedRowCount());
        g.writeName(N_LAST_INSERT_ROWID);
        writeNullableString(g, r.lastInsertRowid() == null ? null : Long.toString(r.lastInsertRowid()));
        g.writeName(N_ROWS_READ);
        g.writeNumber(r.rowsRead());
        g.writeName(N_ROWS_WRITTEN);
        g.writeNumber(r.rowsWritten());
        g.writeName(N_QUERY_DURATION_MS);
        g.writeNumber(millis(r.queryDurationMs()));
        g.writeEndObject();
    }

    /** Milliseconds with microsecond precision ("0.012"), without the cost of a full double-to-text. */
    static String millis(double ms) {
        if (!(ms >= 0) || ms > 9.0e12) {
            return Double.isFinite(ms) ? Double.toString(ms) : "0";
        }
        long micros = Math.round(ms * 1000);
        long frac = micros % 1000;
        String f = frac < 10 ? "00" + frac : frac < 100 ? "0" + frac : Long.toString(frac);
        return (micros / 1000) + "." + f;
    }

    static void writeValue(JsonGenerator g, Object v) {
        g.writeStartObject();
        if (v == null) {
            g.writeName(N_TYPE);
            g.writeString(V_NULL);
        } else if (v instanceof Long l) {
            g.writeName(N_TYPE);
            g.writeString(V_INTEGER);
            g.writeName(N_VALUE);
            g.writeString(Long.toString(l));
        } else if (v instanceof Double d) {
            g.writeName(N_TYPE);
            g.writeString(V_FLOAT);
            g.writeName(N_VALUE);
            g.writeNumber(d);
        } else if (v instanceof String s) {
            g.writeName(N_TYPE);
            g.writeString(V_TEXT);
            g.writeName(N_VALUE);
            g.writeString(s);
        } else if (v instanceof byte[] b) {
            g.writeName(N_TYPE);
            g.writeString(V_BLOB);
            g.writeName(N_BASE64);
            g.writeString(B64.encodeToString(b));
        } else {
            g.writeName(N_TYPE);
            g.writeString(V_TEXT);
            g.writeName(N_VALUE);
            g.writeString(v.toString());
        }
        g.writeEndObject();
    }

    private static void writeBatchResult(JsonGenerator g, Proto.BatchResult r) {
        g.writeStartObject();
        g.writeName(N_STEP_RESULTS);
        g.writeStartArray();
        for (Proto.StmtResult sr : r.stepResults()) {
            if (sr == null) {
                g.writeNull();
            } else {
                writeStmtResult(g, sr);
            }
        }
        g.writeEndArray();
        g.writeName(N_STEP_ERRORS);
        g.writeStartArray();
        for (Proto.Error e : r.stepErrors()) {
            if (e == null) {
                g.writeNull();
            } else {
                writeError(g, e);
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeDescribe(JsonGenerator g, Proto.DescribeResult r) {
        g.writeStartObject();
        g.writeName(N_PARAMS);
        g.writeStartArray();
        for (String p : r.params()) {
            g.writeStartObject();
            g.writeName(N_NAME);
            writeNullableString(g, p);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeName(N_COLS);
        writeCols(g, r.cols());
        g.writeName(N_IS_EXPLAIN);
        g.writeBoolean(r.isExplain());
        g.writeName(N_IS_READONLY);
        g.writeBoolean(r.isReadonly());
        g.writeEndObject();
    }

    /** An error body {@code {"message", "code"}}. */
    public static void writeErrorBody(String message, String code, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeError(g, message, code);
        }
    }

    // ---- legacy sqld "POST /" ----

    private record LegacyBody(List<Object> statements) {
    }

    /** Parses {@code {"statements": ["sql" | {"q": sql, "params": [..] | {..}}]}}. */
    public static List<HranaService.LegacyStatement> readLegacy(InputStream in) {
        LegacyBody body = read(in, LegacyBody.class);
        if (body.statements() == null) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the body must have a `statements` array");
        }
        List<HranaService.LegacyStatement> out = new ArrayList<>(body.statements().size());
        for (Object o : body.statements()) {
            if (o instanceof String sql) {
                out.add(new HranaService.LegacyStatement(sql, null, null));
            } else if (o instanceof Map<?, ?> m && m.get("q") instanceof String sql) {
                Object params = m.get("params");
                List<Proto.Value> args = null;
                List<Proto.NamedArg> named = null;
                if (params instanceof List<?> list) {
                    args = new ArrayList<>(list.size());
                    for (Object v : list) {
                        args.add(legacyValue(v));
                    }
                } else if (params instanceof Map<?, ?> map) {
                    named = new ArrayList<>(map.size());
                    for (Map.Entry<?, ?> e : map.entrySet()) {
                        named.add(new Proto.NamedArg(String.valueOf(e.getKey()), legacyValue(e.getValue())));
                    }
                } else if (params != null) {
                    throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "`params` must be an array or an object");
                }
                out.add(new HranaService.LegacyStatement(sql, args, named));
            } else {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                        "each statement must be a string or an object with `q`");
            }
        }
        return out;
    }

    private static Proto.Value legacyValue(Object v) {
        if (v == null) {
            return Proto.Value.NULL;
        }
        if (v instanceof Boolean b) {
            return new Proto.Value("integer", b ? "1" : "0", null);
        }
        if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) {
            return new Proto.Value("integer", v.toString(), null);
        }
        if (v instanceof Number n) {
            return new Proto.Value("float", n.doubleValue(), null);
        }
        if (v instanceof String s) {
            return new Proto.Value("text", s, null);
        }
        if (v instanceof Map<?, ?> m && m.get("base64") instanceof String b64) {
            return new Proto.Value("blob", null, b64);
        }
        throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "unsupported parameter value");
    }

    /** Writes sqld's legacy answer: {@code [{"results": {"columns": [..], "rows": [[..]]}} | {"error": {...}}]}. */
    public static void writeLegacy(List<HranaService.LegacyResult> results, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartArray();
            for (HranaService.LegacyResult r : results) {
                g.writeStartObject();
                if (r.error() != null) {
                    g.writeName(N_ERROR);
                    g.writeStartObject();
                    g.writeName(N_MESSAGE);
                    g.writeString(r.error().message());
                    g.writeEndObject();
                } else {
                    g.writeName(N_RESULTS);
                    g.writeStartObject();
                    g.writeName(N_COLUMNS);
                    g.writeStartArray();
                    for (Column c : r.result().cols()) {
                        writeNullableString(g, c.name());
                    }
                    g.writeEndArray();
                    g.writeName(N_ROWS);
                    g.writeStartArray();
                    for (Object[] row : r.result().rows()) {
                        g.writeStartArray();
                        for (Object v : row) {
                            writeLegacyValue(g, v);
                        }
                        g.writeEndArray();
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    private static void writeLegacyValue(JsonGenerator g, Object v) {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double d) {
            g.writeNumber(d);
        } else if (v instanceof byte[] b) {
            g.writeStartObject();
            g.writeName(N_BASE64);
            g.writeString(Base64.getEncoder().withoutPadding().encodeToString(b));
            g.writeEndObject();
        } else {
            g.writeString(v.toString());
        }
    }
}
