package dev.libsqlplatform.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/** A throw-away PostgreSQL database on the machine's server (127.0.0.1:5432, trust auth), dropped on close. */
final class PostgresDatabase implements AutoCloseable {

    private final String adminUrl;
    private final String name;

    private PostgresDatabase(String adminUrl, String name) {
        this.adminUrl = adminUrl;
        this.name = name;
    }

    static PostgresDatabase create() throws SQLException {
        String adminUrl = System.getProperty("e2e.postgresAdminUrl",
                "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres");
        String name = "e2e_" + Platform.randomSuffix();
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new SQLException("cannot create database " + name + " through " + adminUrl
                    + " (is PostgreSQL running on 127.0.0.1:5432 with trust auth? bin/test starts it)", e);
        }
        return new PostgresDatabase(adminUrl, name);
    }

    String name() {
        return name;
    }

    /** The JDBC URL the control plane gets as SPRING_DATASOURCE_URL. */
    String jdbcUrl() {
        int q = adminUrl.indexOf('?');
        String base = q < 0 ? adminUrl : adminUrl.substring(0, q);
        String query = q < 0 ? "" : adminUrl.substring(q);
        return base.substring(0, base.lastIndexOf('/') + 1) + name + query;
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(adminUrl); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
}
