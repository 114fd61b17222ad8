package dev.libsqlplatform.dataplane.sql;

import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One SQL statement of a script, already checked by {@link SqlGuard} when {@link #refusal()} is null.
 *
 * @param sql        the statement text (without the separating semicolon)
 * @param kind       routing / transaction classification
 * @param paramCount highest parameter index (SQLite numbering)
 * @param paramNames parameter names with their prefix by 1-based index (null for nameless {@code ?})
 * @param paramIndex name (with prefix) to index
 * @param refusal    non-null when the statement must not run; the message explains why
 * @param explain    true for EXPLAIN statements
 */
public record SqlStatement(String sql, StatementKind kind, int paramCount, List<String> paramNames,
                           Map<String, Integer> paramIndex, String refusal, boolean explain) {

    public SqlStatement {
        paramNames = Collections.unmodifiableList(paramNames);
        paramIndex = Collections.unmodifiableMap(paramIndex);
    }
}
