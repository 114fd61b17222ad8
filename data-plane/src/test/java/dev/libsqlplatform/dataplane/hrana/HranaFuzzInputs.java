package dev.libsqlplatform.dataplane.hrana;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import tools.jackson.databind.json.JsonMapper;

/**
 * Generators of Hrana pipeline bodies for the fuzz tests: valid bodies (as {@link Proto} records and their JSON),
 * mutations of them, JSON of random shape over the protocol's field names, and deep nesting. Public so the
 * HTTP fuzz test of the worker reuses them.
 */
public final class HranaFuzzInputs {
    static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String[] NAMES = {"baton", "requests", "type", "stmt", "batch", "sql", "sql_id", "args",
            "named_args", "want_rows", "steps", "condition", "cond", "conds", "step", "value", "base64", "name"};
    private static final String[] TYPES = {"execute", "batch", "sequence", "describe", "store_sql", "close_sql",
            "close", "get_autocommit", "ok", "error", "not", "and", "or", "is_autocommit", "null", "integer", "float",
            "text", "blob", "EXECUTE", "", "open_stream"};
    private static final String[] SQL = {"SELECT 1", "SELECT ?", "SELECT :a, @b, $c", "SELECT ?1, ?2",
            "CREATE TABLE IF NOT EXISTS fz (a, b)", "INSERT INTO fz VALUES (?, ?)", "SELECT * FROM fz LIMIT 3",
            "DELETE FROM fz WHERE rowid % 2 = 0", "BEGIN", "COMMIT", "ROLLBACK", "SELECT 1; SELECT 2", "",
            "ATTACH 'x' AS y", "PRAGMA journal_mode", "SELEC 1", "SELECT zeroblob(10)", "VALUES (1), (2)"};

    private HranaFuzzInputs() {
    }

    // ---- valid bodies as records ----

    public static Arbitrary<Proto.PipelineRequest> pipelines() {
        return Combinators.combine(batons(), streamRequest().list().ofMaxSize(5)).as(Proto.PipelineRequest::new);
    }

    static Arbitrary<String> batons() {
        return Arbitraries.oneOf(Arbitraries.just(null), Arbitraries.strings().ofMaxLength(40),
                Arbitraries.strings().alpha().numeric().withChars("-_").ofLength(32));
    }

    static Arbitrary<Proto.StreamRequest> streamRequest() {
        return Combinators.combine(Arbitraries.of(TYPES).injectNull(0.05), stmt().injectNull(0.4),
                batch().injectNull(0.7), sql().injectNull(0.5), sqlId().injectNull(0.7)).as(Proto.StreamRequest::new);
    }

    static Arbitrary<String> sql() {
        return Arbitraries.oneOf(Arbitraries.of(SQL), Arbitraries.strings().ofMaxLength(30));
    }

    static Arbitrary<Integer> sqlId() {
        return Arbitraries.oneOf(Arbitraries.integers().between(-3, 5), Arbitraries.integers());
    }

    static Arbitrary<Proto.Stmt> stmt() {
        return Combinators.combine(sql().injectNull(0.1), sqlId().injectNull(0.8), value().list().ofMaxSize(3).injectNull(0.5),
                namedArg().list().ofMaxSize(2).injectNull(0.7), Arbitraries.of(true, false).injectNull(0.5))
                .as(Proto.Stmt::new);
    }

    static Arbitrary<Proto.NamedArg> namedArg() {
        return Combinators.combine(Arbitraries.of("a", ":a", "@b", "$c", "", "zz").injectNull(0.1), value().injectNull(0.1))
                .as(Proto.NamedArg::new);
    }

    /** Values whose JSON form binds back to an equal record: strings, finite doubles, base64 strings. */
    static Arbitrary<Proto.Value> value() {
        Arbitrary<Object> v = Arbitraries.oneOf(
                Arbitraries.of("0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
                        "1e3", " 12 ", "abc", ""),
                Arbitraries.strings().ofMaxLength(20),
                Arbitraries.doubles().filter(Double::isFinite));
        Arbitrary<String> b64 = Arbitraries.oneOf(Arbitraries.of("", "AA==", "AAEC/w==", "AAEC_w", "!!", "A", "AAA=A"),
                Arbitraries.strings().withChars("ABCXYZabc019+/=-_ %").ofMaxLength(12));
        return Combinators.combine(Arbitraries.of(TYPES).injectNull(0.05), v.injectNull(0.2), b64.injectNull(0.7))
                .as(Proto.Value::new);
    }

    static Arbitrary<Proto.Batch> batch() {
        return step().list().ofMaxSize(4).injectNull(0.05).map(Proto.Batch::new);
    }

    static Arbitrary<Proto.BatchStep> step() {
        return Combinators.combine(cond(3).injectNull(0.5), stmt().injectNull(0.05)).as(Proto.BatchStep::new);
    }

    static Arbitrary<Proto.Cond> cond(int depth) {
        Arbitrary<Proto.Cond> leaf = Combinators.combine(Arbitraries.of(TYPES).injectNull(0.05),
                Arbitraries.integers().between(-1, 4).injectNull(0.2)).as((t, s) -> new Proto.Cond(t, s, null, null));
        if (depth == 0) {
            return leaf;
        }
        return Arbitraries.oneOf(leaf,
                Arbitraries.lazy(() -> cond(depth - 1)).map(c -> new Proto.Cond("not", null, c, null)),
                Arbitraries.lazy(() -> cond(depth - 1)).list().ofMaxSize(3).map(cs -> new Proto.Cond(
                        cs.size() % 2 == 0 ? "and" : "or", null, null, cs)));
    }

    public static byte[] toJson(Object o) {
        return JSON.writeValueAsBytes(o);
    }

    // ---- broken bodies ----

    /** Valid bodies changed by a few byte-level mutations (flip, insert, delete, duplicate, truncate). */
    public static Arbitrary<byte[]> mutatedBodies() {
        Arbitrary<int[]> mutation = Arbitraries.integers().between(0, 4).flatMap(kind -> Combinators.combine(
                Arbitraries.integers().between(0, Integer.MAX_VALUE), Arbitraries.integers().between(0, 255),
                Arbitraries.integers().between(1, 8)).as((pos, b, len) -> new int[]{kind, pos, b, len}));
        return Combinators.combine(pipelines().map(HranaFuzzInputs::toJson), mutation.list().ofMinSize(1).ofMaxSize(4))
                .as(HranaFuzzInputs::mutate);
    }

    static byte[] mutate(byte[] body, List<int[]> mutations) {
        List<Byte> b = new ArrayList<>(body.length + 16);
        for (byte x : body) {
            b.add(x);
        }
        for (int[] m : mutations) {
            int pos = b.isEmpty() ? 0 : m[1] % (b.size() + 1);
            switch (m[0]) {
                case 0 -> { // replace one byte
                    if (pos < b.size()) {
                        b.set(pos, (byte) m[2]);
                    }
                }
                case 1 -> b.add(pos, (byte) (m[2] % 2 == 0 ? "{}[]\":,\\0e-".charAt(m[2] % 12) : m[2]));
                case 2 -> { // delete a run
                    for (int k = 0; k < m[3] && pos < b.size(); k++) {
                        b.remove(pos);
                    }
                }
                case 3 -> { // duplicate a run
                    List<Byte> run = new ArrayList<>(b.subList(pos, Math.min(b.size(), pos + m[3])));
                    b.addAll(pos, run);
                }
                default -> { // truncate
                    while (b.size() > pos) {
                        b.remove(b.size() - 1);
                    }
                }
            }
        }
        byte[] out = new byte[b.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.get(i);
        }
        return out;
    }

    /** JSON of random shape over the protocol's names, with wrong types, huge numbers and odd strings. */
    public static Arbitrary<String> jsonSoup() {
        return jsonValue(4).flatMap(v -> Arbitraries.of(v, "{\"baton\":null,\"requests\":" + v + "}",
                "{\"requests\":[" + v + "]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":" + v + "}]}",
                "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"},"
                        + "\"condition\":" + v + "}]}}]}",
                "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[" + v + "]}}]}"));
    }

    static Arbitrary<String> jsonValue(int depth) {
        Arbitrary<String> scalar = Arbitraries.oneOf(
                Arbitraries.of("null", "true", "false", "0", "-0", "1e999999", "-1e-999999", "1.5E+308",
                        "123456789012345678901234567890", "2147483648", "-2147483649", "9223372036854775808",
                        "1" + "0".repeat(1200), "0." + "1".repeat(1200), "\"\"", "\"\\u0000\"", "\"\\ud800\"",
                        "\"\\udc00x\"", "\"AAEC/w==\"", "\"%%%\"", "\" 42 \"", "\"true\"", "\"1e3\"", "\"-\"", "NaN",
                        "Infinity", "'single'", "01", "+1", ".5", "\"\\x41\""),
                Arbitraries.of(TYPES).map(t -> "\"" + t + "\""),
                Arbitraries.strings().ofMaxLength(12).map(s -> JSON.writeValueAsString(s)),
                Arbitraries.integers().map(String::valueOf));
        if (depth == 0) {
            return scalar;
        }
        Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of(NAMES), Arbitraries.strings().ofMaxLength(6))
                .map(k -> JSON.writeValueAsString(k));
        Arbitrary<String> member = Combinators.combine(key, Arbitraries.lazy(() -> jsonValue(depth - 1)))
                .as((k, v) -> k + ":" + v);
        Arbitrary<String> object = member.list().ofMaxSize(5).map(ms -> "{" + String.join(",", ms) + "}");
        Arbitrary<String> array = Arbitraries.lazy(() -> jsonValue(depth - 1)).list().ofMaxSize(4)
                .map(vs -> "[" + String.join(",", vs) + "]");
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, scalar), net.jqwik.api.Tuple.of(2, object),
                net.jqwik.api.Tuple.of(2, array));
    }

    /** Bodies nested thousands of levels deep: arrays, objects, `not` conditions, argument values. */
    public static Arbitrary<String> deepBodies() {
        return Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers().between(1, 20_000),
                Arbitraries.of(true, false)).as((kind, depth, closed) -> {
                    String[] openClose = switch (kind) {
                        case 0 -> new String[]{"[", "]"};
                        case 1 -> new String[]{"{\"a\":", "}"};
                        case 2 -> new String[]{"{\"type\":\"not\",\"cond\":", "}"};
                        case 3 -> new String[]{"{\"conds\":[", "]}"};
                        case 4 -> new String[]{"[{\"x\":", "}]"};
                        default -> new String[]{"{\"requests\":[", "]}"};
                    };
                    String prefix = switch (kind) {
                        case 2, 3 -> "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"SELECT 1\"},\"condition\":";
                        case 4 -> "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"text\",\"value\":";
                        default -> "{\"requests\":";
                    };
                    String suffix = switch (kind) {
                        case 2, 3 -> "}]}}]}";
                        case 4 -> "}]}}]}";
                        default -> "}";
                    };
                    String leaf = kind == 2 || kind == 3 ? "{\"type\":\"ok\",\"step\":0}" : "null";
                    StringBuilder sb = new StringBuilder(prefix);
                    sb.append(openClose[0].repeat(depth)).append(leaf);
                    if (closed) {
                        sb.append(openClose[1].repeat(depth)).append(suffix);
                    }
                    return sb.toString();
                });
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
