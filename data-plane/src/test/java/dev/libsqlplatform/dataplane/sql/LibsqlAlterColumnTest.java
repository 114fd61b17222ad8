package dev.libsqlplatform.dataplane.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LibsqlAlterColumnTest {
    @Test
    void recognisesOnlyAlterColumn() {
        assertThat(LibsqlAlterColumn.parse("ALTER TABLE t RENAME COLUMN a TO b")).isNull();
        assertThat(LibsqlAlterColumn.parse("ALTER TABLE t ADD COLUMN b TEXT")).isNull();
        assertThat(LibsqlAlterColumn.parse("ALTER TABLE t RENAME TO u")).isNull();
        assertThat(LibsqlAlterColumn.parse("SELECT 'ALTER TABLE t ALTER COLUMN x TO x'")).isNull();
        assertThat(LibsqlAlterColumn.parse("ALTER TABLE other.t ALTER COLUMN x TO x")).isNull();
        assertThat(LibsqlAlterColumn.parse("  alter table \"my t\" alter x to y INTEGER DEFAULT (-1) ; -- done"))
                .isEqualTo(new LibsqlAlterColumn.Request("my t", "x", "y INTEGER DEFAULT (-1)"));
        assertThat(LibsqlAlterColumn.parse("ALTER TABLE main.T ALTER COLUMN [a b] TO [a b] REAL CHECK (\"a b\" > 0)"))
                .isEqualTo(new LibsqlAlterColumn.Request("T", "a b", "[a b] REAL CHECK (\"a b\" > 0)"));
    }

    @Test
    void refusesWhatLibsqlRefuses() {
        assertThatThrownBy(() -> LibsqlAlterColumn.parse("ALTER TABLE t ALTER COLUMN x TO x INTEGER PRIMARY KEY"))
                .hasMessage("error in adding x INTEGER PRIMARY KEY to t: PRIMARY KEY constraint cannot be altered");
        assertThatThrownBy(() -> LibsqlAlterColumn.parse("ALTER TABLE t ALTER COLUMN x TO x AS (1 + 1)"))
                .hasMessageEndingWith("GENERATED constraint cannot be altered");
        // a CHECK mentioning the word UNIQUE in a string or nested expression is not a UNIQUE constraint
        assertThat(LibsqlAlterColumn.parse("ALTER TABLE t ALTER COLUMN x TO x TEXT CHECK (x <> 'UNIQUE')")).isNotNull();
    }

    @Test
    void rewritesOnlyThatColumn() {
        String create = "CREATE TABLE t(a INTEGER PRIMARY KEY, \"x\" TEXT NOT NULL DEFAULT 'a,b', c REAL, "
                + "CONSTRAINT k UNIQUE (c), CHECK (a > 0))";
        assertThat(LibsqlAlterColumn.rewrite(create, "X", "x BLOB"))
                .isEqualTo("CREATE TABLE t(a INTEGER PRIMARY KEY, x BLOB, c REAL, CONSTRAINT k UNIQUE (c), CHECK (a > 0))");
        assertThat(LibsqlAlterColumn.rewrite(create, "c", "c INTEGER DEFAULT (1)"))
                .isEqualTo("CREATE TABLE t(a INTEGER PRIMARY KEY, \"x\" TEXT NOT NULL DEFAULT 'a,b', c INTEGER DEFAULT (1), "
                        + "CONSTRAINT k UNIQUE (c), CHECK (a > 0))");
        assertThatThrownBy(() -> LibsqlAlterColumn.rewrite(create, "k", "k TEXT")).hasMessage("no such column: \"k\"");
    }
}
