package dev.libsqlplatform.dataplane.hrana;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Binds a pipeline body to {@link Proto} records straight from the token stream: no tree, no reflective
 * record construction (Jackson's databind creates records through {@code MethodHandle.invokeWithArguments},
 * which the point-read profile showed as the largest single cost of a request). Accepts what the
 * databind binding accepted: unknown properties are skipped, {@code null} is absent, scalars are coerced
 * to the field's type (a number where a string is expected, a numeric string where an integer is).
 */
final class PipelineReader {
    private final JsonParser p;

    PipelineReader(JsonParser p) {
        this.p = p;
    }

    /** The body, or null for an empty body or {@code null}. */
    Proto.PipelineRequest readPipeline() {
        JsonToken t = p.nextToken();
        if (t == null || t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "the pipeline request");
        String baton = null;
        List<Proto.StreamRequest> requests = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "baton" -> baton = string(v, name);
                case "requests" -> requests = streamRequests(v);
                default -> p.skipChildren();
            }
        }
        return new Proto.PipelineRequest(baton, requests);
    }

    /** A WebSocket client message, or null for an empty message or {@code null}. */
    Proto.ClientMsg readClientMsg() {
        JsonToken t = p.nextToken();
        if (t == null || t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "the client message");
        String type = null;
        String jwt = null;
        Integer requestId = null;
        Proto.SocketRequest request = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> type = string(v, name);
                case "jwt" -> jwt = string(v, name);
                case "request_id" -> requestId = integer(v, name);
                case "request" -> request = socketRequest(v);
                default -> p.skipChildren();
            }
        }
        return new Proto.ClientMsg(type, jwt, requestId, request);
    }

    private Proto.SocketRequest socketRequest(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "a request");
        String type = null;
        Integer streamId = null;
        Integer cursorId = null;
        Integer maxCount = null;
        Proto.Stmt stmt = null;
        Proto.Batch batch = null;
        String sql = null;
        Integer sqlId = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> type = string(v, name);
                case "stream_id" -> streamId = integer(v, name);
                case "cursor_id" -> cursorId = integer(v, name);
                case "max_count" -> maxCount = integer(v, name);
                case "stmt" -> stmt = stmt(v);
                case "batch" -> batch = batch(v);
                case "sql" -> sql = string(v, name);
                case "sql_id" -> sqlId = integer(v, name);
                default -> p.skipChildren();
            }
        }
        return new Proto.SocketRequest(type, streamId, cursorId, maxCount, stmt, batch, sql, sqlId);
    }

    private List<Proto.StreamRequest> streamRequests(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectArray(t, "requests");
        List<Proto.StreamRequest> out = new ArrayList<>(4);
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(streamRequest(e));
        }
        return out;
    }

    private Proto.StreamRequest streamRequest(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "a stream request");
        String type = null;
        Proto.Stmt stmt = null;
        Proto.Batch batch = null;
        String sql = null;
        Integer sqlId = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> type = string(v, name);
                case "stmt" -> stmt = stmt(v);
                case "batch" -> batch = batch(v);
                case "sql" -> sql = string(v, name);
                case "sql_id" -> sqlId = integer(v, name);
                default -> p.skipChildren();
            }
        }
        return new Proto.StreamRequest(type, stmt, batch, sql, sqlId);
    }

    Proto.Stmt stmt(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "stmt");
        String sql = null;
        Integer sqlId = null;
        List<Proto.Value> args = null;
        List<Proto.NamedArg> namedArgs = null;
        Boolean wantRows = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "sql" -> sql = string(v, name);
                case "sql_id" -> sqlId = integer(v, name);
                case "args" -> args = values(v);
                case "named_args" -> namedArgs = namedArgs(v);
                case "want_rows" -> wantRows = bool(v, name);
                default -> p.skipChildren();
            }
        }
        return new Proto.Stmt(sql, sqlId, args, namedArgs, wantRows);
    }

    private List<Proto.Value> values(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectArray(t, "args");
        List<Proto.Value> out = new ArrayList<>(4);
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            out.add(value(e));
        }
        return out;
    }

    private Proto.Value value(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "a value");
        String type = null;
        Object value = null;
        String base64 = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> type = string(v, name);
                case "value" -> value = anyValue(v);
                case "base64" -> base64 = string(v, name);
                default -> p.skipChildren();
            }
        }
        return new Proto.Value(type, value, base64);
    }

    /** As databind binds {@code Object}: String, Integer/Long/BigInteger, Double, Boolean, null, Map, List. */
    private Object anyValue(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> p.getString();
            case VALUE_NUMBER_INT -> p.getNumberValue();
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> p.readValueAs(Object.class);
        };
    }

    private List<Proto.NamedArg> namedArgs(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectArray(t, "named_args");
        List<Proto.NamedArg> out = new ArrayList<>(4);
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e == JsonToken.VALUE_NULL) {
                out.add(null);
                continue;
            }
            expectObject(e, "a named argument");
            String argName = null;
            Proto.Value value = null;
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                JsonToken v = p.nextToken();
                switch (name) {
                    case "name" -> argName = string(v, name);
                    case "value" -> value = value(v);
                    default -> p.skipChildren();
                }
            }
            out.add(new Proto.NamedArg(argName, value));
        }
        return out;
    }

    Proto.Batch batch(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "batch");
        List<Proto.BatchStep> steps = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            if (name.equals("steps")) {
                steps = steps(v);
            } else {
                p.skipChildren();
            }
        }
        return new Proto.Batch(steps);
    }

    private List<Proto.BatchStep> steps(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectArray(t, "steps");
        List<Proto.BatchStep> out = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            if (e == JsonToken.VALUE_NULL) {
                out.add(null);
                continue;
            }
            expectObject(e, "a batch step");
            Proto.Cond condition = null;
            Proto.Stmt stmt = null;
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                JsonToken v = p.nextToken();
                switch (name) {
                    case "condition" -> condition = cond(v);
                    case "stmt" -> stmt = stmt(v);
                    default -> p.skipChildren();
                }
            }
            out.add(new Proto.BatchStep(condition, stmt));
        }
        return out;
    }

    private Proto.Cond cond(JsonToken t) {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        expectObject(t, "a batch condition");
        String type = null;
        Integer step = null;
        Proto.Cond cond = null;
        List<Proto.Cond> conds = null;
        for (String name = p.nextName(); name != null; name = p.nextName()) {
            JsonToken v = p.nextToken();
            switch (name) {
                case "type" -> type = string(v, name);
                case "step" -> step = integer(v, name);
                case "cond" -> cond = cond(v);
                case "conds" -> {
                    if (v == JsonToken.VALUE_NULL) {
                        conds = null;
                    } else {
                        expectArray(v, name);
                        conds = new ArrayList<>();
                        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                            conds.add(cond(e));
                        }
                    }
                }
                default -> p.skipChildren();
            }
        }
        return new Proto.Cond(type, step, cond, conds);
    }

    // ---- scalars, coerced as databind coerces them ----

    private String string(JsonToken t, String field) {
        return switch (t) {
            case VALUE_STRING -> p.getString();
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT, VALUE_TRUE, VALUE_FALSE -> p.getText();
            default -> throw mismatch(field, "a string");
        };
    }

    private Integer integer(JsonToken t, String field) {
        try {
            return switch (t) {
                case VALUE_NUMBER_INT -> p.getIntValue();
                case VALUE_NULL -> null;
                case VALUE_STRING -> {
                    String s = p.getString().trim();
                    yield s.isEmpty() ? null : Integer.valueOf(s);
                }
                default -> throw mismatch(field, "an integer");
            };
        } catch (NumberFormatException e) {
            throw mismatch(field, "an integer");
        }
    }

    private Boolean bool(JsonToken t, String field) {
        return switch (t) {
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            case VALUE_NUMBER_INT -> p.getIntValue() != 0;
            case VALUE_STRING -> {
                String s = p.getString().trim();
                if (s.equalsIgnoreCase("true")) {
                    yield Boolean.TRUE;
                }
                if (s.equalsIgnoreCase("false")) {
                    yield Boolean.FALSE;
                }
                if (s.isEmpty()) {
                    yield null;
                }
                throw mismatch(field, "a boolean");
            }
            default -> throw mismatch(field, "a boolean");
        };
    }

    private void expectObject(JsonToken t, String what) {
        if (t != JsonToken.START_OBJECT) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                    "Cannot deserialize client message from JSON: " + what + " must be an object, not "
                            + JsonToken.valueDescFor(t));
        }
    }

    private void expectArray(JsonToken t, String field) {
        if (t != JsonToken.START_ARRAY) {
            throw new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                    "Cannot deserialize client message from JSON: `" + field + "` must be an array, not "
                            + JsonToken.valueDescFor(t));
        }
    }

    private static ApiException mismatch(String field, String expected) {
        return new ApiException(ErrorCode.HRANA_PROTO_ERROR,
                "Cannot deserialize client message from JSON: `" + field + "` must be " + expected);
    }
}
