package dev.libsqlplatform.dataplane.sql;

import java.util.Set;

/**
 * What tenant SQL may reach: the ONE policy that both layers apply. {@link SqlGuard} refuses it before
 * execution with a friendly message; the engine's authorizer (storage {@code NativeSandbox}) refuses the
 * same things wherever they appear — behind EXPLAIN, in {@code pragma_*} table-valued functions, in
 * triggers and views, with any spelling the lexer might not foresee.
 */
public final class SqlPolicy {
    private SqlPolicy() {
    }

    /** Pragmas a tenant may read, without an argument (with one, several of them would write). */
    public static final Set<String> READABLE_PRAGMAS = Set.of(
            "page_count", "page_size", "freelist_count", "schema_version", "data_version", "database_list",
            "collation_list", "function_list", "module_list", "pragma_list", "compile_options", "encoding");

    /** Pragmas a tenant may read with an object-name argument ({@code table_info(t)}). */
    public static final Set<String> READABLE_PRAGMAS_WITH_ARGUMENT = Set.of(
            "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
            "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check");

    /**
     * Pragmas a tenant may set. Per-connection ones are reset before the connection's next user
     * ({@code DbConnection.reset}); the others live in the tenant's own file header.
     */
    public static final Set<String> SETTABLE_PRAGMAS = Set.of(
            "foreign_keys", "defer_foreign_keys", "user_version", "application_id");

    /**
     * SQL functions refused everywhere: {@code fts3_tokenizer} turns blobs into native pointers (a crafted
     * one crashes the process) and returns addresses; {@code load_extension} runs code; the rest read or
     * write files where a build has them.
     */
    public static final Set<String> DENIED_FUNCTIONS = Set.of(
            "fts3_tokenizer", "load_extension", "readfile", "writefile", "edit", "fsdir");

    /** Virtual-table modules a tenant may create (full-text search and R*Tree indexes). */
    public static final Set<String> ALLOWED_MODULES = Set.of("fts3", "fts4", "fts5", "fts5vocab", "rtree", "rtree_i32");

    public static boolean isKnownPragma(String name) {
        return READABLE_PRAGMAS.contains(name) || READABLE_PRAGMAS_WITH_ARGUMENT.contains(name)
                || SETTABLE_PRAGMAS.contains(name);
    }
}
