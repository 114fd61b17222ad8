package dev.libsqlplatform.controlplane.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The SQL console's statement splitter: semicolons that end statements, and those that do not. */
class StatementsTest {

    @Test
    void splitsAtTopLevelSemicolonsOnly() {
        assertThat(Statements.split("SELECT 1; SELECT 2;")).containsExactly("SELECT 1", "SELECT 2");
        assertThat(Statements.split("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, [g;h]); SELECT ';'"))
                .containsExactly("INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`, [g;h])", "SELECT ';'");
        assertThat(Statements.split("SELECT 'it''s; fine'; SELECT 2"))
                .containsExactly("SELECT 'it''s; fine'", "SELECT 2");
        assertThat(Statements.split("SELECT 1 -- a; comment\n; /* another; */ SELECT 2"))
                .containsExactly("SELECT 1 -- a; comment", "/* another; */ SELECT 2");
    }

    @Test
    void aTriggerBodyIsOneStatement() {
        String trigger = "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.id); "
                + "UPDATE n SET c = c + 1; END";
        assertThat(Statements.split(trigger + "; SELECT 1")).containsExactly(trigger, "SELECT 1");
        // BEGIN of a transaction is no trigger body
        assertThat(Statements.split("BEGIN; INSERT INTO t VALUES (1); COMMIT"))
                .containsExactly("BEGIN", "INSERT INTO t VALUES (1)", "COMMIT");
    }

    @Test
    void emptyPiecesAndBareCommentsAreDropped() {
        assertThat(Statements.split(" ;;\n; -- nothing\n")).isEmpty();
        assertThat(Statements.split(null)).isEmpty();
        assertThat(Statements.split("SELECT 'unterminated; still one")).containsExactly("SELECT 'unterminated; still one");
    }

    /** Whatever is typed, the splitter answers (SQLite judges the statements) and loses no character but separators. */
    @Property(tries = 300)
    void neverFailsAndKeepsEveryNonSeparatorCharacter(@ForAll String text) {
        List<String> statements = Statements.split(text);
        long kept = statements.stream().mapToLong(s -> s.chars().filter(c -> c != ';' && !Character.isWhitespace(c)).count()).sum();
        long given = text.chars().filter(c -> c != ';' && !Character.isWhitespace(c)).count();
        assertThat(kept).isLessThanOrEqualTo(given);
        statements.forEach(s -> assertThat(s).isNotBlank());
    }
}
