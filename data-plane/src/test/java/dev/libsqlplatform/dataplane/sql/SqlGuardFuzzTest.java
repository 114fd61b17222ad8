package dev.libsqlplatform.dataplane.sql;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.dataplane.FuzzBudget;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzes the statement splitter, classifier and guard ({@link SqlScript}, {@link SqlLexer}, {@link SqlGuard}) with
 * arbitrary strings and SQL-ish token soup (keywords, comments and quotes of every kind, terminated or not,
 * parameters, full-width letters, zero-width and NUL characters, lone surrogate halves): they terminate, never
 * throw (a refusal is a value, {@link SqlStatement#refusal()}; several statements where one is expected is the
 * typed {@link SqlScript.MultipleStatementsException}), and are consistent.
 */
@AddLifecycleHook(FuzzBudget.class)
class SqlGuardFuzzTest {
    private static final String[] FRAGMENTS = {
        "SELECT", "select", "ATTACH", "attach", "DETACH", "VACUUM", "INTO", "PRAGMA", "pragma", "BEGIN", "END", "CASE",
        "CREATE", "TRIGGER", "TEMP", "EXPLAIN", "QUERY", "PLAN", "WITH", "ROLLBACK", "TO", "READONLY", "COMMIT",
        "SAVEPOINT", "RELEASE", "VALUES", "INSERT", "load_extension", "LOAD_EXTENSION", "main", "temp", "aux",
        "journal_mode", "user_version", "foreign_keys", "table_info", "x", "t",
        ";", ";", "(", ")", ".", "=", ",", "*", "-", "/", "+",
        "--", "-- c\n", "/*", "*/", "/* c */", "/**/", "\n", " ", "\t", "\r",
        "'", "'a'", "''", "\"", "\"q\"", "`", "`b`", "[", "]", "[c]",
        "?", "?1", "?0", "?32766", "?32767", "?250000", "?2147483647", "?99999999999", "?007", ":a", "@b", "$c",
        "$c::d", "$", ":", "@",
        "1", "1e-5", ".5", "0x1F", "1e", "9223372036854775808",
        "ＡＴＴＡＣＨ", "ＳＥＬＥＣＴ", "\u200B", "\u200D", "\uFEFF", "\u0000", "\uD800", "\uDC00", "\uD83D\uDE00",
        "ſelect", "ıd", "ß", "İ", "\u00A0", "\u2028", "\u3000"};

    @Provide
    Arbitrary<String> soup() {
        Arbitrary<String> fragment = Arbitraries.oneOf(Arbitraries.of(FRAGMENTS), Arbitraries.of(FRAGMENTS),
                Arbitraries.strings().ofMaxLength(4));
        Arbitrary<String> sep = Arbitraries.of("", " ", " ", "\n");
        return Combinators.combine(fragment, sep).as((f, s) -> f + s).list().ofMaxSize(25)
                .map(parts -> String.join("", parts));
    }

    @Provide
    Arbitrary<String> anyText() {
        return Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(60),
                Arbitraries.strings().all().ofMaxLength(30), soup());
    }

    /** Whitespace and terminated comments: prepending them must change nothing. */
    @Provide
    Arbitrary<String> noise() {
        return Arbitraries.of(" ", "\n", "\t", "-- note\n", "/* note */", "/* ; ' \" */", "-- ; '\n", "\r\n")
                .list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("", l));
    }

    @Property(tries = 1500)
    void parseTerminatesAndNeverThrows(@ForAll("anyText") String sql) {
        List<SqlStatement> all = SqlScript.parse(sql);
        for (SqlStatement st : all) {
            assertThat(st.kind()).isNotNull();
            assertThat(st.sql()).isNotBlank();
            assertThat(sql).contains(st.sql());
            assertThat(st.paramNames()).hasSize(st.paramCount());
            assertThat(st.paramCount()).isBetween(0, SqlScript.MAX_PARAMETER_INDEX + sql.length());
        }
        try {
            SqlStatement one = SqlScript.parseSingle(sql);
            assertThat(all).hasSize(one == null ? 0 : 1);
        } catch (SqlScript.MultipleStatementsException e) {
            assertThat(all.size()).isGreaterThan(1);
        }
    }

    /** Each statement the splitter cut out, parsed alone, is one statement classified and refused the same way. */
    @Property(tries = 1500)
    void splitStatementsReclassifyTheSame(@ForAll("anyText") String sql) {
        for (SqlStatement st : SqlScript.parse(sql)) {
            List<SqlStatement> again = SqlScript.parse(st.sql());
            assertThat(again).as("re-parsing %s", st.sql()).hasSize(1);
            SqlStatement re = again.get(0);
            assertThat(re.sql()).isEqualTo(st.sql());
            assertThat(re.kind()).isEqualTo(st.kind());
            assertThat(re.refusal()).isEqualTo(st.refusal());
            assertThat(re.explain()).isEqualTo(st.explain());
            assertThat(re.paramNames()).isEqualTo(st.paramNames());
            assertThat(re.paramIndex()).isEqualTo(st.paramIndex());
        }
    }

    /** Leading whitespace and comments cannot hide a statement from the guard or change its class. */
    @Property(tries = 1000)
    void leadingCommentsChangeNothing(@ForAll("noise") String noise, @ForAll("anyText") String sql) {
        List<SqlStatement> plain = SqlScript.parse(sql);
        List<SqlStatement> noisy = SqlScript.parse(noise + sql);
        assertThat(noisy).hasSameSizeAs(plain);
        for (int i = 0; i < plain.size(); i++) {
            assertThat(noisy.get(i).kind()).isEqualTo(plain.get(i).kind());
            assertThat(noisy.get(i).refusal()).isEqualTo(plain.get(i).refusal());
        }
    }

    /** A statement whose first keyword is ATTACH or DETACH (any case, after any comments) is always refused. */
    @Property(tries = 1000)
    void attachAndDetachAreAlwaysRefused(@ForAll("noise") String noise,
                                         @ForAll("attachWord") String word, @ForAll("anyText") String rest) {
        List<SqlStatement> all = SqlScript.parse(noise + word + " " + rest);
        assertThat(all).isNotEmpty();
        assertThat(all.get(0).refusal()).as("refusal of %s", all.get(0).sql()).isNotNull();
    }

    @Provide
    Arbitrary<String> attachWord() {
        return Arbitraries.of("ATTACH", "attach", "Attach", "aTtAcH", "DETACH", "detach", "EXPLAIN ATTACH",
                "explain query plan detach", "VACUUM INTO", "vacuum main into");
    }

    /** PRAGMA names outside the allowlist, setting a read-only one and a schema other than main/temp are refused. */
    @Property(tries = 1000)
    void pragmasOutsideTheAllowlistAreRefused(@ForAll("noise") String noise, @ForAll("pragmaName") String name,
                                              @ForAll("pragmaTail") String tail) {
        List<SqlStatement> all = SqlScript.parse(noise + "PRAGMA " + name + tail);
        assertThat(all).isNotEmpty();
        assertThat(all.get(0).refusal()).as("refusal of %s", all.get(0).sql()).isNotNull();
    }

    @Provide
    Arbitrary<String> pragmaName() {
        return Arbitraries.of("journal_mode", "synchronous", "max_page_count", "writable_schema", "mmap_size",
                "cache_size", "temp_store", "locking_mode", "main.journal_mode", "\"journal_mode\"", "[synchronous]",
                "`max_page_count`", "aux.user_version", "JOURNAL_MODE", "Journal_Mode", "page_size = 512",
                "encoding='UTF-16'", "main.page_count = 1", "schema_version=7");
    }

    @Provide
    Arbitrary<String> pragmaTail() {
        return Arbitraries.of("", " = OFF", "=0", "(0)", " = 'x'", "('t')", " -- c", "/* = */");
    }

    /**
     * Found by {@link #parseTerminatesAndNeverThrows}: {@code SELECT ?2147483647} made the analyzer allocate a name
     * slot per index below it (OutOfMemoryError: one request could take a shared worker down).
     */
    @Example
    void hugeParameterIndexIsLeftToSqlite() {
        SqlStatement st = SqlScript.parse("SELECT ?2147483647, ?0").get(0);
        assertThat(st.paramCount()).isZero();
        assertThat(st.refusal()).isNull();
        SqlStatement highest = SqlScript.parse("SELECT ?32766, :a").get(0);
        assertThat(highest.paramCount()).isEqualTo(32767);
        assertThat(highest.paramNames().get(32765)).isEqualTo("?32766");
        assertThat(highest.paramNames().get(32766)).isEqualTo(":a");
        assertThat(highest.paramNames().get(0)).isNull();
    }
}
