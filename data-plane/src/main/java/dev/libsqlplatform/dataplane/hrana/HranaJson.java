package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON encoding of Hrana: requests are bound straight to {@link Proto} records (no JsonNode tree),
 * responses are streamed with a {@link JsonGenerator}. Integers are written as strings, floats as
 * numbers, blobs as padded base64, as HRANA_3_SPEC.md requires.
 */
public final class HranaJson {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final Base64.Encoder B64 = Base64.getEncoder();

    private HranaJson() {
    }

    public static Proto.PipelineRequest readPipeline(InputStream in) {
        try (JsonParser p = JSON.createParser(in)) {
            Proto.PipelineRequest value = new PipelineReader(p).readPipeline();
            if (value == null) {
                throw new ApiException(ErrorCode.HRANA_PROTO_ERROR, "the request body is empty");
            }
            return value;
        } catch (JacksonException e) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                    "Cannot deserialize client message from JSON: " + e.getOriginalMessage());
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
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                    "Cannot deserialize client message from JSON: " + e.getOriginalMessage());
        }
    }

    public static Proto.CursorRequest readCursor(InputStream in) {
        return read(in, Proto.CursorRequest.class);
    }

    /** Newline-delimited JSON: the {@code CursorRespBody}, then one {@code CursorEntry} per line. */
    public static void writeCursor(Proto.PipelineResponse resp, OutputStream out) throws java.io.IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeName("baton");
            writeNullableString(g, resp.baton());
            g.writeName("base_url");
            g.writeNull();
            g.writeEndObject();
            g.writeRaw('\n');
            Proto.StreamResult r = resp.results().get(0);
            if (r.error() != null) {
                g.writeStartObject();
                g.writeStringProperty("type", "error");
                g.writeName("error");
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
                    g.writeStringProperty("type", "step_begin");
                    g.writeNumberProperty("step", i);
                    g.writeName("cols");
                    writeCols(g, sr.cols());
                    g.writeEndObject();
                    g.writeRaw('\n');
                    for (Object[] row : sr.rows()) {
                        g.writeStartObject();
                        g.writeStringProperty("type", "row");
                        g.writeName("row");
                        g.writeStartArray();
                        for (Object v : row) {
                            writeValue(g, v);
                        }
                        g.writeEndArray();
                        g.writeEndObject();
                        g.writeRaw('\n');
                    }
                    g.writeStartObject();
                    g.writeStringProperty("type", "step_end");
                    g.writeNumberProperty("affected_row_count", sr.affectedRowCount());
                    g.writeName("last_insert_rowid");
                    writeNullableString(g, sr.lastInsertRowid() == null ? null : Long.toString(sr.lastInsertRowid()));
                    g.writeEndObject();
                    g.writeRaw('\n');
                } else if (err != null) {
                    g.writeStartObject();
                    g.writeStringProperty("type", "step_error");
                    g.writeNumberProperty("step", i);
                    g.writeName("error");
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
            g.writeName("baton");
            writeNullableString(g, resp.baton());
            g.writeName("base_url");
            g.writeNull();
            g.writeName("results");
            g.writeStartArray();
            for (Proto.StreamResult r : resp.results()) {
                g.writeStartObject();
                if (r.error() != null) {
                    g.writeStringProperty("type", "error");
                    g.writeName("error");
                    writeError(g, r.error());
                } else {
                    g.writeStringProperty("type", "ok");
                    g.writeName("response");
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
        g.writeStringProperty("type", r.type());
        Object result = r.result();
        if (result instanceof Proto.StmtResult sr) {
            g.writeName("result");
            writeStmtResult(g, sr);
        } else if (result instanceof Proto.BatchResult br) {
            g.writeName("result");
            writeBatchResult(g, br);
        } else if (result instanceof Proto.DescribeResult dr) {
            g.writeName("result");
            writeDescribe(g, dr);
        }
        if (r.isAutocommit() != null) {
            g.writeBooleanProperty("is_autocommit", r.isAutocommit());
        }
        g.writeEndObject();
    }

    static void writeError(JsonGenerator g, Proto.Error e) {
        g.writeStartObject();
        g.writeStringProperty("message", e.message());
        g.writeName("code");
        writeNullableString(g, e.code());
        g.writeEndObject();
    }

    private static void writeNullableString(JsonGenerator g, String s) {
        if (s == null) {
            g.writeNull();
        } else {
            g.writeString(s);
        }
    }

    private static void writeCols(JsonGenerator g, List<Proto.Col> cols) {
        g.writeStartArray();
        for (Proto.Col c : cols) {
            g.writeStartObject();
            g.writeName("name");
            writeNullableString(g, c.name());
            g.writeName("decltype");
            writeNullableString(g, c.decltype());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    static void writeStmtResult(JsonGenerator g, Proto.StmtResult r) {
        g.writeStartObject();
        g.writeName("cols");
        writeCols(g, r.cols());
        g.writeName("rows");
        g.writeStartArray();
        for (Object[] row : r.rows()) {
            g.writeStartArray();
            for (Object v : row) {
                writeValue(g, v);
            }
            g.writeEndArray();
        }
        g.writeEndArray();
        g.writeNumberProperty("affected_row_count", r.affectedRowCount());
        g.writeName("last_insert_rowid");
        writeNullableString(g, r.lastInsertRowid() == null ? null : Long.toString(r.lastInsertRowid()));
        g.writeNumberProperty("rows_read", r.rowsRead());
        g.writeNumberProperty("rows_written", r.rowsWritten());
        g.writeName("query_duration_ms");
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
            g.writeStringProperty("type", "null");
        } else if (v instanceof Long l) {
            g.writeStringProperty("type", "integer");
            g.writeStringProperty("value", Long.toString(l));
        } else if (v instanceof Double d) {
            g.writeStringProperty("type", "float");
            g.writeNumberProperty("value", d);
        } else if (v instanceof String s) {
            g.writeStringProperty("type", "text");
            g.writeStringProperty("value", s);
        } else if (v instanceof byte[] b) {
            g.writeStringProperty("type", "blob");
            g.writeStringProperty("base64", B64.encodeToString(b));
        } else {
            g.writeStringProperty("type", "text");
            g.writeStringProperty("value", v.toString());
        }
        g.writeEndObject();
    }

    private static void writeBatchResult(JsonGenerator g, Proto.BatchResult r) {
        g.writeStartObject();
        g.writeName("step_results");
        g.writeStartArray();
        for (Proto.StmtResult sr : r.stepResults()) {
            if (sr == null) {
                g.writeNull();
            } else {
                writeStmtResult(g, sr);
            }
        }
        g.writeEndArray();
        g.writeName("step_errors");
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
        g.writeName("params");
        g.writeStartArray();
        for (String p : r.params()) {
            g.writeStartObject();
            g.writeName("name");
            writeNullableString(g, p);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeName("cols");
        writeCols(g, r.cols());
        g.writeBooleanProperty("is_explain", r.isExplain());
        g.writeBooleanProperty("is_readonly", r.isReadonly());
        g.writeEndObject();
    }

    /** An error body {@code {"message", "code"}}. */
    public static void writeErrorBody(String message, String code, OutputStream out) {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            writeError(g, new Proto.Error(message, code));
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
                    g.writeName("error");
                    g.writeStartObject();
                    g.writeStringProperty("message", r.error().message());
                    g.writeEndObject();
                } else {
                    g.writeName("results");
                    g.writeStartObject();
                    g.writeName("columns");
                    g.writeStartArray();
                    for (Proto.Col c : r.result().cols()) {
                        writeNullableString(g, c.name());
                    }
                    g.writeEndArray();
                    g.writeName("rows");
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
            g.writeStringProperty("base64", Base64.getEncoder().withoutPadding().encodeToString(b));
            g.writeEndObject();
        } else {
            g.writeString(v.toString());
        }
    }
}
