package dev.libsqlplatform.dataplane.sql;

import java.util.List;
import java.util.Locale;

/**
 * Refuses, before execution, SQL that could leave the tenant's own file or change durability or limits:
 * ATTACH, DETACH, VACUUM INTO, denied functions and pragmas outside {@link SqlPolicy}. This is the first,
 * friendly layer; the engine's authorizer enforces the same policy wherever the lexer cannot see it.
 */
final class SqlGuard {
    private SqlGuard() {
    }

    static String check(List<SqlToken> toks, int p) {
        if (p < toks.size()) {
            SqlToken first = toks.get(p);
            if (first.isWord("ATTACH")) {
                return "ATTACH is not allowed: a database can only reach its own file";
            }
            if (first.isWord("DETACH")) {
                return "DETACH is not allowed: a database can only reach its own file";
            }
            if (first.isWord("VACUUM")) {
                for (int i = p + 1; i < toks.size(); i++) {
                    if (toks.get(i).isWord("INTO")) {
                        return "VACUUM INTO is not allowed: a database can only write its own file";
                    }
                }
            }
        }
        for (int i = 0; i + 1 < toks.size(); i++) {
            SqlToken t = toks.get(i);
            if ((t.kind() == SqlToken.Kind.WORD || t.kind() == SqlToken.Kind.QUOTED_ID) && toks.get(i + 1).isPunct('(')) {
                String fn = t.text().toLowerCase(Locale.ROOT);
                if (SqlPolicy.DENIED_FUNCTIONS.contains(fn)) {
                    return fn + "() is not allowed on this server";
                }
            }
        }
        return null;
    }

    /** Name of the pragma at {@code toks[p]} (lower case, without schema), or null when malformed. */
    static String pragmaName(List<SqlToken> toks, int p) {
        int i = p + 1;
        if (i >= toks.size()) {
            return null;
        }
        if (i + 2 < toks.size() && toks.get(i + 1).isPunct('.')) {
            i += 2;
        }
        SqlToken name = toks.get(i);
        if (name.kind() != SqlToken.Kind.WORD && name.kind() != SqlToken.Kind.QUOTED_ID) {
            return null;
        }
        return name.text().toLowerCase(Locale.ROOT);
    }

    static String checkPragma(List<SqlToken> toks, int p) {
        int i = p + 1;
        if (i + 2 < toks.size() && toks.get(i + 1).isPunct('.')) {
            String schema = toks.get(i).text().toLowerCase(Locale.ROOT);
            if (!schema.equals("main") && !schema.equals("temp")) {
                return "PRAGMA on schema '" + schema + "' is not allowed: only main is reachable";
            }
        }
        String name = pragmaName(toks, p);
        if (name == null) {
            return "malformed PRAGMA statement";
        }
        boolean hasArgument = false;
        for (int k = p + 1; k < toks.size(); k++) {
            if (toks.get(k).isPunct('=') || toks.get(k).isPunct('(')) {
                hasArgument = true;
            }
        }
        if (SqlPolicy.SETTABLE_PRAGMAS.contains(name) || SqlPolicy.READABLE_PRAGMAS_WITH_ARGUMENT.contains(name)) {
            return null;
        }
        if (!SqlPolicy.READABLE_PRAGMAS.contains(name)) {
            return "PRAGMA " + name + " is not allowed on this server";
        }
        if (hasArgument) {
            return "setting PRAGMA " + name + " is not allowed on this server";
        }
        return null;
    }
}
