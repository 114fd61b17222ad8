package dev.libsqlplatform.dataplane.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SqlScriptTest {
    @Test
    void splitsRespectingQuotesCommentsAndTriggers() {
        List<SqlStatement> s = SqlScript.parse("SELECT 'a;b'; SELECT \"x;\" -- c;\n; /* ; */ SELECT [y;]; SELECT `z;`;"
                + "CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT CASE WHEN 1 THEN 2 END; DELETE FROM y; END; SELECT 9");
        assertThat(s).hasSize(6);
        assertThat(s.get(4).sql()).startsWith("CREATE TRIGGER").endsWith("END");
        assertThat(s.get(5).sql()).isEqualTo("SELECT 9");
        assertThat(SqlScript.parse("  ;; -- only comments\n")).isEmpty();
    }

    @Test
    void classifies() {
        assertThat(kind("select 1")).isEqualTo(StatementKind.READ);
        assertThat(kind("VALUES (1)")).isEqualTo(StatementKind.READ);
        assertThat(kind("WITH x AS (SELECT 1) SELECT * FROM x")).isEqualTo(StatementKind.WITH);
        assertThat(kind("BEGIN TRANSACTION READONLY")).isEqualTo(StatementKind.BEGIN_READONLY);
        assertThat(kind("begin immediate")).isEqualTo(StatementKind.BEGIN);
        assertThat(kind("END TRANSACTION")).isEqualTo(StatementKind.COMMIT);
        assertThat(kind("ROLLBACK")).isEqualTo(StatementKind.ROLLBACK);
        assertThat(kind("ROLLBACK TO sp")).isEqualTo(StatementKind.SAVEPOINT);
        assertThat(kind("EXPLAIN QUERY PLAN SELECT 1")).isEqualTo(StatementKind.READ);
        assertThat(kind("PRAGMA table_info(x)")).isEqualTo(StatementKind.PRAGMA_READ);
        assertThat(kind("PRAGMA user_version = 1")).isEqualTo(StatementKind.PRAGMA_WRITE);
        assertThat(kind("INSERT INTO x VALUES (1)")).isEqualTo(StatementKind.WRITE);
    }

    @Test
    void refusesEscapes() {
        assertThat(refusal("ATTACH 'x.db' AS x")).contains("ATTACH is not allowed");
        assertThat(refusal("detach x")).contains("DETACH");
        assertThat(refusal("VACUUM INTO '/tmp/x'")).contains("VACUUM INTO");
        assertThat(refusal("VACUUM")).isNull();
        assertThat(refusal("SELECT LOAD_EXTENSION ('x')")).contains("load_extension");
        assertThat(refusal("SELECT \"load_extension\"('x')")).contains("load_extension");
        assertThat(refusal("SELECT 'load_extension(x)'")).isNull();
        assertThat(refusal("PRAGMA journal_mode = OFF")).contains("journal_mode");
        assertThat(refusal("PRAGMA cache_size")).contains("cache_size");
        assertThat(refusal("PRAGMA page_size = 1024")).contains("page_size");
        assertThat(refusal("PRAGMA main.table_info(t)")).isNull();
        assertThat(refusal("PRAGMA aux.table_info(t)")).contains("aux");
        assertThat(refusal("PRAGMA foreign_keys = ON")).isNull();
        assertThat(refusal("PRAGMA application_id = 5")).isNull();
        assertThat(refusal("EXPLAIN ATTACH 'x' AS y")).contains("ATTACH");
    }

    @Test
    void numbersParametersLikeSqlite() {
        SqlStatement s = SqlScript.parse("SELECT ?, :a, ?5, @b, :a, ?, $c").get(0);
        assertThat(s.paramCount()).isEqualTo(8);
        assertThat(s.paramIndex()).containsEntry(":a", 2).containsEntry("?5", 5).containsEntry("@b", 6)
                .containsEntry("$c", 8);
        assertThat(s.paramNames().get(0)).isNull();
        assertThat(s.paramNames().get(1)).isEqualTo(":a");
    }

    private static StatementKind kind(String sql) {
        return SqlScript.parse(sql).get(0).kind();
    }

    private static String refusal(String sql) {
        return SqlScript.parse(sql).get(0).refusal();
    }
}
