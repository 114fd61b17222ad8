package dev.libsqlplatform.dataplane.sql;

import java.util.List;

/**
 * libSQL's {@code ALTER TABLE t ALTER COLUMN c TO <column definition>}: the column's definition in the table's
 * {@code CREATE TABLE} text is replaced by the new one; no row is rewritten. Stock SQLite has no such statement, so
 * the worker recognises it here and applies the rewritten schema itself (storage {@code AlterColumns}). As libSQL,
 * it refuses definitions whose constraints would need existing rows rebuilt: PRIMARY KEY, UNIQUE, GENERATED.
 */
public final class LibsqlAlterColumn {
    private LibsqlAlterColumn() {
    }

    /** A recognised statement: the table (without schema), the column's current name, the new definition text. */
    public record Request(String table, String column, String definition) {
    }

    /** The statement's parts, or null when it is not an ALTER COLUMN statement. Throws for refused definitions. */
    public static Request parse(String sql) {
        int i = 0;
        while (i < sql.length() && Character.isWhitespace(sql.charAt(i))) {
            i++;
        }
        if (!sql.regionMatches(true, i, "ALTER", 0, 5)) {
            return null;
        }
        List<SqlToken> t = SqlLexer.tokenize(sql);
        int p = 0;
        if (!(at(t, p, "ALTER") && at(t, p + 1, "TABLE"))) {
            return null;
        }
        p += 2;
        if (p + 2 < t.size() && t.get(p + 1).isPunct('.')) {
            if (!name(sql, t.get(p)).equalsIgnoreCase("main")) {
                return null; // another schema: SQLite reports it
            }
            p += 2;
        }
        if (p >= t.size() || !isName(t.get(p))) {
            return null;
        }
        String table = name(sql, t.get(p++));
        if (!at(t, p, "ALTER")) {
            return null;
        }
        p++;
        if (at(t, p, "COLUMN")) {
            p++;
        }
        if (p + 2 >= t.size() || !isName(t.get(p)) || !at(t, p + 1, "TO")) {
            return null;
        }
        String column = name(sql, t.get(p));
        int first = p + 2;
        int last = t.size() - 1;
        while (last >= first && t.get(last).isPunct(';')) {
            last--;
        }
        if (last < first || !isName(t.get(first))) {
            return null;
        }
        String definition = sql.substring(t.get(first).start(), t.get(last).end());
        String refused = refusedConstraint(t.subList(first, last + 1));
        if (refused != null) {
            throw new IllegalArgumentException("error in adding " + definition + " to " + table + ": " + refused
                    + " constraint cannot be altered");
        }
        return new Request(table, column, definition);
    }

    /**
     * {@code createTable} with {@code column}'s definition replaced by {@code definition}; throws
     * IllegalArgumentException when the table has no such column.
     */
    public static String rewrite(String createTable, String column, String definition) {
        List<SqlToken> t = SqlLexer.tokenize(createTable);
        int p = 0;
        while (p < t.size() && !t.get(p).isPunct('(')) {
            p++;
        }
        int depth = 0;
        int segmentStart = p + 1;
        for (int i = p; i < t.size(); i++) {
            SqlToken tok = t.get(i);
            if (tok.isPunct('(')) {
                depth++;
                continue;
            }
            boolean end = tok.isPunct(')') && depth == 1;
            if (tok.isPunct(')')) {
                depth--;
            }
            if (end || (tok.isPunct(',') && depth == 1)) {
                if (segmentStart < i) {
                    SqlToken head = t.get(segmentStart);
                    if (isTableConstraint(head)) {
                        break;
                    }
                    if (isName(head) && name(createTable, head).equalsIgnoreCase(column)) {
                        return createTable.substring(0, head.start()) + definition + createTable.substring(t.get(i - 1).end());
                    }
                }
                segmentStart = i + 1;
                if (end) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException("no such column: \"" + column + "\"");
    }

    private static String refusedConstraint(List<SqlToken> def) {
        int depth = 0;
        for (int i = 0; i < def.size(); i++) {
            SqlToken tok = def.get(i);
            if (tok.isPunct('(')) {
                depth++;
            } else if (tok.isPunct(')')) {
                depth--;
            } else if (depth == 0 && i > 0 && tok.kind() == SqlToken.Kind.WORD) {
                switch (tok.text()) {
                    case "PRIMARY":
                        return "PRIMARY KEY";
                    case "UNIQUE":
                        return "UNIQUE";
                    case "GENERATED":
                        return "GENERATED";
                    case "AS":
                        if (i + 1 < def.size() && def.get(i + 1).isPunct('(')) {
                            return "GENERATED";
                        }
                        break;
                    default:
                        break;
                }
            }
        }
        return null;
    }

    private static boolean isTableConstraint(SqlToken t) {
        return t.kind() == SqlToken.Kind.WORD
                && List.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN").contains(t.text());
    }

    private static boolean at(List<SqlToken> t, int i, String upper) {
        return i < t.size() && t.get(i).isWord(upper);
    }

    private static boolean isName(SqlToken t) {
        return t.kind() == SqlToken.Kind.WORD || t.kind() == SqlToken.Kind.QUOTED_ID || t.kind() == SqlToken.Kind.STRING;
    }

    /** A name as written (the lexer upper-cases words), without its quotes. */
    private static String name(String sql, SqlToken t) {
        return t.kind() == SqlToken.Kind.WORD ? sql.substring(t.start(), t.end()) : t.text();
    }
}
