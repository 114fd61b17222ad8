package dev.libsqlplatform.controlplane.metadata;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;

import org.springframework.dao.DataAccessException;
import org.springframework.data.jdbc.core.dialect.DialectResolver;
import org.springframework.data.relational.core.dialect.Dialect;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcOperations;

/** Registered in META-INF/spring.factories: answers {@link SqliteDialect} when the connection is SQLite. */
public class SqliteDialectProvider implements DialectResolver.JdbcDialectProvider {

    @Override
    public Optional<Dialect> getDialect(JdbcOperations operations) {
        return Optional.ofNullable(operations.execute((ConnectionCallback<Dialect>) SqliteDialectProvider::fromConnection));
    }

    private static Dialect fromConnection(Connection connection) throws SQLException, DataAccessException {
        String product = connection.getMetaData().getDatabaseProductName();
        return product != null && product.toLowerCase(Locale.ROOT).contains("sqlite") ? SqliteDialect.INSTANCE : null;
    }
}
