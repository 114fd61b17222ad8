package dev.libsqlplatform.dataplane.sql;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Splits SQL text into statements and classifies each. Pure logic, no SQLite involved. */
public final class SqlScript {
    private SqlScript() {
    }

    /** All non-empty statements of {@code sql}, in order. */
    public static List<SqlStatement> parse(String sql) {
        List<SqlToken> tokens = SqlLexer.tokenize(sql);
        List<SqlStatement> out = new ArrayList<>(1);
        int stmtStart = 0;
        boolean trigger = false;
        int depth = 0;
        int textStart = -1;
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.isPunct(';') && depth == 0) {
                if (i > stmtStart) {
                    out.add(analyze(sql.substring(textStart, t.start()), tokens.subList(stmtStart, i)));
                }
                stmtStart = i + 1;
                trigger = false;
                textStart = -1;
                continue;
            }
            if (textStart < 0) {
                textStart = t.start();
            }
            if (i == stmtStart + 1 || i == stmtStart + 2) {
                if (t.isWord("TRIGGER") && tokens.get(stmtStart).isWord("CREATE")) {
                    trigger = true;
                }
            }
            if (trigger && t.kind() == SqlToken.Kind.WORD) {
                if (t.text().equals("BEGIN") || t.text().equals("CASE")) {
                    depth++;
                } else if (t.text().equals("END") && depth > 0) {
                    depth--;
                }
            }
        }
        if (stmtStart < tokens.size()) {
            out.add(analyze(sql.substring(textStart), tokens.subList(stmtStart, tokens.size())));
        }
        return out;
    }

    /** Exactly one statement, or null when the text holds none; throws when it holds several. */
    public static SqlStatement parseSingle(String sql) throws MultipleStatementsException {
        List<SqlStatement> all = parse(sql);
        if (all.size() > 1) {
            throw new MultipleStatementsException();
        }
        return all.isEmpty() ? null : all.get(0);
    }

    /** Thrown when a single statement was expected. */
    public static final class MultipleStatementsException extends Exception {
        MultipleStatementsException() {
            super("SQL string contains more than one statement", null, false, false);
        }
    }

    static SqlStatement analyze(String text, List<SqlToken> toks) {
        int p = 0;
        boolean explain = false;
        if (toks.get(0).isWord("EXPLAIN")) {
            explain = true;
            p = 1;
            if (p + 1 < toks.size() && toks.get(p).isWord("QUERY") && toks.get(p + 1).isWord("PLAN")) {
                p += 2;
            }
        }
        StatementKind kind = classify(toks, p);
        String refusal = SqlGuard.check(toks, p);
        // EXPLAIN PRAGMA applies the pragma while preparing: it is checked like the pragma itself
        if (refusal == null && (kind == StatementKind.PRAGMA_READ || kind == StatementKind.PRAGMA_WRITE)) {
            refusal = SqlGuard.checkPragma(toks, p);
        }
        if (explain) {
            kind = StatementKind.READ;
        }

        // names by index, sparse: "?32766" must not cost a slot per index below it (the parse cache keeps these)
        Map<Integer, String> names = new HashMap<>();
        Map<String, Integer> index = new HashMap<>();
        int max = 0;
        for (SqlToken t : toks) {
            if (t.kind() != SqlToken.Kind.PARAM) {
                continue;
            }
            String name = t.text();
            if (name.equals("?")) {
                max++;
            } else if (name.charAt(0) == '?') {
                int n;
                try {
                    n = Integer.parseInt(name.substring(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (n < 1 || n > MAX_PARAMETER_INDEX) {
                    continue; // SQLite refuses it ("variable number must be between ?1 and ?N")
                }
                if (!index.containsKey(name)) {
                    index.put(name, n);
                    names.put(n, name);
                }
                max = Math.max(max, n);
            } else if (!index.containsKey(name)) {
                max++;
                names.put(max, name);
                index.put(name, max);
            }
        }
        return new SqlStatement(text, kind, max, new ParamNames(max, names), index, refusal, explain);
    }

    /** SQLite's default SQLITE_MAX_VARIABLE_NUMBER: the highest {@code ?NNN} a statement can use. */
    static final int MAX_PARAMETER_INDEX = 32766;

    /** Parameter names by 0-based position (index 1 first), null for nameless ones, without a slot per index. */
    private static final class ParamNames extends java.util.AbstractList<String> implements java.util.RandomAccess {
        private final int size;
        private final Map<Integer, String> byIndex;

        ParamNames(int size, Map<Integer, String> byIndex) {
            this.size = size;
            this.byIndex = byIndex;
        }

        @Override
        public String get(int i) {
            java.util.Objects.checkIndex(i, size);
            return byIndex.get(i + 1);
        }

        @Override
        public int size() {
            return size;
        }
    }

    private static StatementKind classify(List<SqlToken> toks, int p) {
        if (p >= toks.size()) {
            return StatementKind.WRITE;
        }
        SqlToken first = toks.get(p);
        if (first.kind() != SqlToken.Kind.WORD) {
            return first.isPunct('(') ? StatementKind.READ : StatementKind.WRITE;
        }
        switch (first.text()) {
            case "SELECT":
            case "VALUES":
                return StatementKind.READ;
            case "WITH":
                return StatementKind.WITH;
            case "BEGIN": {
                for (int i = p + 1; i < toks.size(); i++) {
                    if (toks.get(i).isWord("READONLY")) {
                        return StatementKind.BEGIN_READONLY;
                    }
                }
                return StatementKind.BEGIN;
            }
            case "COMMIT":
            case "END":
                return StatementKind.COMMIT;
            case "ROLLBACK": {
                for (int i = p + 1; i < toks.size(); i++) {
                    if (toks.get(i).isWord("TO")) {
                        return StatementKind.SAVEPOINT;
                    }
                }
                return StatementKind.ROLLBACK;
            }
            case "SAVEPOINT":
            case "RELEASE":
                return StatementKind.SAVEPOINT;
            case "PRAGMA": {
                for (int i = p + 1; i < toks.size(); i++) {
                    if (toks.get(i).isPunct('=')) {
                        return StatementKind.PRAGMA_WRITE;
                    }
                }
                if (toks.size() > p + 2 && toks.get(toks.size() - 1).isPunct(')')) {
                    // PRAGMA name(value): a setter for the setter pragmas, a query for the others
                    String name = SqlGuard.pragmaName(toks, p);
                    if (name != null && SqlPolicy.SETTABLE_PRAGMAS.contains(name)) {
                        return StatementKind.PRAGMA_WRITE;
                    }
                }
                return StatementKind.PRAGMA_READ;
            }
            default:
                return StatementKind.WRITE;
        }
    }
}
