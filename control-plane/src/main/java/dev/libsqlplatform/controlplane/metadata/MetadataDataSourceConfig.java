package dev.libsqlplatform.controlplane.metadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The metadata store. {@code spring.datasource.url} selects it: unset (default) → the embedded SQLite file
 * {@code <platform.data-dir>/metadata.db}; {@code jdbc:postgresql://...} → PostgreSQL. The same Flyway
 * migrations (classpath:db/migration, portable SQL) run on both.
 *
 * <p>SQLite settings: WAL, {@code synchronous=FULL} (metadata must survive power loss), a busy timeout so
 * writers queue instead of failing, {@code transaction_mode=IMMEDIATE} so every transaction takes the write
 * lock at BEGIN (no read→write upgrade deadlocks, and the organization "lock" of the create-database
 * transaction is a real lock), foreign keys on, a small pool (one writer at a time anyway).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DataSourceProperties.class)
class MetadataDataSourceConfig {

    static final String SQLITE_PARAMS =
            "journal_mode=WAL&synchronous=FULL&busy_timeout=30000&transaction_mode=IMMEDIATE&foreign_keys=true";

    @Bean
    HikariDataSource dataSource(DataSourceProperties dataSource, PlatformProperties platform) {
        HikariConfig config = new HikariConfig();
        String url = dataSource.getUrl();
        if (url == null || url.isBlank()) {
            Path file = platform.dataDir().resolve("metadata.db").toAbsolutePath();
            url = "jdbc:sqlite:" + file;
        }
        if (url.startsWith("jdbc:sqlite:")) {
            createParentDirectory(url);
            if (!url.contains("?")) {
                url = url + "?" + SQLITE_PARAMS;
            }
            config.setDriverClassName("org.sqlite.JDBC");
            config.setMaximumPoolSize(4);
            config.setPoolName("metadata-sqlite");
        } else {
            config.setUsername(dataSource.getUsername());
            config.setPassword(dataSource.getPassword());
            if (dataSource.getDriverClassName() != null) {
                config.setDriverClassName(dataSource.getDriverClassName());
            }
            config.setMaximumPoolSize(10);
            config.setPoolName("metadata");
        }
        config.setJdbcUrl(url);
        config.setConnectionTimeout(60_000);
        return new HikariDataSource(config);
    }

    private static void createParentDirectory(String url) {
        String path = url.substring("jdbc:sqlite:".length());
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        if (path.isEmpty() || path.startsWith(":memory:") || path.startsWith("file:")) {
            return;
        }
        Path parent = Path.of(path).toAbsolutePath().getParent();
        try {
            if (parent != null) {
                Files.createDirectories(parent);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create metadata directory " + parent, e);
        }
    }
}
