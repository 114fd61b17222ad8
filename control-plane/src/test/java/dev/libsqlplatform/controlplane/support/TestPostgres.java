package dev.libsqlplatform.controlplane.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh PostgreSQL database per test class: {@code cp_test_<random>} created through the {@code postgres}
 * database of the server on 127.0.0.1:5432 (trust auth), dropped at the end. Without that server, a
 * Testcontainers PostgreSQL when a Docker engine exists; otherwise the test is skipped (aborted), not failed.
 */
public final class TestPostgres {

    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/postgres?connectTimeout=3";
    private static PostgreSQLContainer container;

    public final String url;
    public final String username;
    public final String password;
    private final String name;
    private final String adminUrl;

    private TestPostgres(String url, String username, String password, String name, String adminUrl) {
        this.url = url;
        this.username = username;
        this.password = password;
        this.name = name;
        this.adminUrl = adminUrl;
    }

    public static TestPostgres create() {
        String name = "cp_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        String adminUrl;
        String user;
        String password;
        if (reachable(ADMIN_URL, "postgres", "")) {
            adminUrl = ADMIN_URL;
            user = "postgres";
            password = "";
        } else if (DockerClientFactory.instance().isDockerAvailable()) {
            synchronized (TestPostgres.class) {
                if (container == null) {
                    container = new PostgreSQLContainer("postgres:16-alpine");
                    container.start();
                }
            }
            adminUrl = container.getJdbcUrl();
            user = container.getUsername();
            password = container.getPassword();
        } else {
            Assumptions.abort("no PostgreSQL on 127.0.0.1:5432 and no Docker engine: PostgreSQL tests skipped");
            throw new IllegalStateException();
        }
        execute(adminUrl, user, password, "CREATE DATABASE " + name);
        String url = adminUrl.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
        return new TestPostgres(url, user, password, name, adminUrl);
    }

    public void drop() {
        execute(adminUrl, username, password, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    }

    private static boolean reachable(String url, String user, String password) {
        try (Connection ignored = DriverManager.getConnection(url, user, password)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    private static void execute(String url, String user, String password, String sql) {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed", e);
        }
    }
}
