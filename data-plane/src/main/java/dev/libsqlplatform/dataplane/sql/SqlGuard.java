package dev.libsqlplatform.dataplane.sql;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses, before execution, SQL that could leave the tenant's own file or change durability or limits:
 * ATTACH, DETACH, VACUUM INTO, load_extension() and pragmas outside an allowlist. The connections are
 * hardened as well (SQLITE_LIMIT_ATTACHED = 0, extension loading off); this is the clear-error layer.
 */
final class SqlGuard {
    private SqlGuard() {
    }

    static final Set<String> READABLE_PRAGMAS = Set.of(
            "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
            "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check", "page_count",
            "page_size", "freelist_count", "schema_version", "user_version", "data_version", "database_list",
            "collation_list", "function_list", "pragma_list", "compile_options", "encoding", "application_id",
            "foreign_keys", "defer_foreign_keys");

    static final Set<String> SETTABLE_PRAGMAS = Set.of(
            "foreign_keys", "defer_foreign_keys", "user_version", "application_id");

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
            if ((t.kind() == SqlToken.Kind.WORD || t.kind() == SqlToken.Kind.QUOTED_ID)
                    && t.text().equalsIgnoreCase("load_extension") && toks.get(i + 1).isPunct('(')) {
                return "load_extension() is not allowed on this server";
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
        boolean assigns = false;
        boolean hasArg = false;
        for (int k = p + 1; k < toks.size(); k++) {
            if (toks.get(k).isPunct('=')) {
                assigns = true;
            }
            if (toks.get(k).isPunct('(')) {
                hasArg = true;
            }
        }
        if (!READABLE_PRAGMAS.contains(name)) {
            return "PRAGMA " + name + " is not allowed on this server";
        }
        if ((assigns || (hasArg && SETTABLE_PRAGMAS.contains(name))) && !SETTABLE_PRAGMAS.contains(name)) {
            return "setting PRAGMA " + name + " is not allowed on this server";
        }
        if (assigns && !SETTABLE_PRAGMAS.contains(name)) {
            return "setting PRAGMA " + name + " is not allowed on this server";
        }
        return null;
    }
}
