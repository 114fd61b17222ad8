package dev.libsqlplatform.controlplane.metadata;

import java.util.Collection;
import java.util.List;

import org.springframework.core.convert.converter.Converter;
import org.springframework.data.convert.ReadingConverter;
import org.springframework.data.jdbc.core.dialect.JdbcDialect;
import org.springframework.data.relational.core.dialect.AbstractDialect;
import org.springframework.data.relational.core.dialect.LimitClause;
import org.springframework.data.relational.core.dialect.LockClause;
import org.springframework.data.relational.core.sql.IdentifierProcessing;
import org.springframework.data.relational.core.sql.LockOptions;

/**
 * Minimal Spring Data JDBC dialect for SQLite (Spring Data ships none, spring-data-relational#1769).
 * <ul>
 *   <li>{@code LIMIT n OFFSET m} after ORDER BY;</li>
 *   <li>no row lock clause: SQLite has one writer per file; our connections open every transaction with
 *       {@code BEGIN IMMEDIATE} (sqlite-jdbc {@code transaction_mode=IMMEDIATE}), so a transaction holds the
 *       database write lock from its first statement — stronger than {@code SELECT ... FOR UPDATE};</li>
 *   <li>BOOLEAN columns come back as integers 0/1: read them as {@link Boolean}.</li>
 * </ul>
 */
public final class SqliteDialect extends AbstractDialect implements JdbcDialect {

    public static final SqliteDialect INSTANCE = new SqliteDialect();

    private static final LimitClause LIMIT = new LimitClause() {
        @Override
        public String getLimit(long limit) {
            return "LIMIT " + limit;
        }

        @Override
        public String getOffset(long offset) {
            return "LIMIT -1 OFFSET " + offset;
        }

        @Override
        public String getLimitOffset(long limit, long offset) {
            return "LIMIT " + limit + " OFFSET " + offset;
        }

        @Override
        public Position getClausePosition() {
            return Position.AFTER_ORDER_BY;
        }
    };

    private static final LockClause LOCK = new LockClause() {
        @Override
        public String getLock(LockOptions lockOptions) {
            return "";
        }

        @Override
        public Position getClausePosition() {
            return Position.AFTER_ORDER_BY;
        }
    };

    private SqliteDialect() {
    }

    @Override
    public String getName() {
        return "SQLite";
    }

    @Override
    public LimitClause limit() {
        return LIMIT;
    }

    @Override
    public LockClause lock() {
        return LOCK;
    }

    @Override
    public IdentifierProcessing getIdentifierProcessing() {
        return IdentifierProcessing.create(IdentifierProcessing.Quoting.ANSI, IdentifierProcessing.LetterCasing.AS_IS);
    }

    @Override
    public Collection<Object> getConverters() {
        return List.of(NumberToBooleanConverter.INSTANCE);
    }

    @ReadingConverter
    enum NumberToBooleanConverter implements Converter<Number, Boolean> {
        INSTANCE;

        @Override
        public Boolean convert(Number source) {
            return source.longValue() != 0;
        }
    }
}
