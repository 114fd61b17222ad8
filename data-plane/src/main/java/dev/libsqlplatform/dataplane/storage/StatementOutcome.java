package dev.libsqlplatform.dataplane.storage;

import java.util.List;

/**
 * What one statement produced. Row values are null, Long, Double, String or byte[] (SQLite's storage classes,
 * read natively by {@link StatementRunner}).
 */
public record StatementOutcome(List<Column> cols, List<Object[]> rows, long affectedRowCount, Long lastInsertRowid,
                               long rowsRead, double durationMs) {
}
