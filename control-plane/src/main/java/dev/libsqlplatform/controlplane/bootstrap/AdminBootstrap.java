package dev.libsqlplatform.controlplane.bootstrap;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

import dev.libsqlplatform.controlplane.apitoken.ApiTokenService;
import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.user.User;
import dev.libsqlplatform.controlplane.user.UserService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * On every start, before the web server accepts requests: the admin user, its team organization (on
 * {@code platform.admin-plan}),
 * the owner membership, the {@code default} group at the first location, and the admin Platform API token.
 * <ul>
 *   <li>{@code PLATFORM_ADMIN_TOKEN} set: its SHA-256 is stored; a changed value replaces the previous one.</li>
 *   <li>unset: on the FIRST start only (no bootstrap token yet) a token is generated, printed once to stdout and
 *       written to {@code <data-dir>/admin-token} (mode 0600). Tokens are never logged otherwise.</li>
 * </ul>
 */
@Component
class AdminBootstrap implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);

    private final PlatformProperties properties;
    private final UserService users;
    private final OrganizationService organizations;
    private final GroupService groups;
    private final ApiTokenService tokens;
    private final TransactionTemplate tx;
    private final JdbcClient jdbc;
    private final boolean postgres;

    /**
     * Key of the PostgreSQL advisory lock the bootstrap holds (transaction-scoped): any constant unique to this use.
     */
    static final long BOOTSTRAP_LOCK = 0x6c69627371_6c00L;

    AdminBootstrap(PlatformProperties properties, UserService users, OrganizationService organizations,
                   GroupService groups, ApiTokenService tokens, TransactionTemplate tx, JdbcClient jdbc,
                   javax.sql.DataSource dataSource) {
        this.tx = tx;
        this.jdbc = jdbc;
        try (java.sql.Connection c = dataSource.getConnection()) {
            this.postgres = "PostgreSQL".equalsIgnoreCase(c.getMetaData().getDatabaseProductName());
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the metadata database's product name", e);
        }
        this.properties = properties;
        this.users = users;
        this.organizations = organizations;
        this.groups = groups;
        this.tokens = tokens;
    }

    /**
     * One transaction, serialized across control planes: two starting at the same instant on an empty PostgreSQL
     * database would otherwise both find no administrator and both insert one, and the loser's unique-key violation
     * would stop its start. The second waits for the first's advisory lock, then finds everything in place. (SQLite:
     * a write transaction takes the database's write lock from its first statement.)
     */
    @Override
    public void afterSingletonsInstantiated() {
        tx.executeWithoutResult(status -> {
            if (postgres) {
                jdbc.sql("SELECT pg_advisory_xact_lock(?)").param(BOOTSTRAP_LOCK).query(rs -> { });
            }
            bootstrap();
        });
    }

    private void bootstrap() {
        User admin = users.ensureUser(properties.adminUsername());
        Organization org = organizations.ensureOrganization(properties.adminOrganization(), admin.id(),
                properties.adminPlan());
        groups.ensureDefault(org.id());
        if (properties.adminToken() != null) {
            if (tokens.ensureBootstrapToken(admin.id(), properties.adminToken())) {
                log.info("administrator token taken from PLATFORM_ADMIN_TOKEN");
            }
        } else if (!tokens.hasBootstrapToken(admin.id())) {
            String token = ApiTokenService.newTokenValue();
            Path file = writeTokenFile(token);
            tokens.ensureBootstrapToken(admin.id(), token);
            System.out.println();
            System.out.println("=== libSQL platform: administrator Platform API token (shown once; also in "
                    + file + ") ===");
            System.out.println("PLATFORM_ADMIN_TOKEN=" + token);
            System.out.println();
        }
        log.info("bootstrap done: user {}, organization {}, group default", admin.username(), org.slug());
    }

    private Path writeTokenFile(String token) {
        Path dir = properties.dataDir().toAbsolutePath();
        Path file = dir.resolve("admin-token");
        try {
            Files.createDirectories(dir);
            Path tmp = dir.resolve("admin-token.tmp");
            Files.deleteIfExists(tmp);
            FileAttribute<?>[] attrs = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            Files.createFile(tmp, attrs);
            Files.writeString(tmp, token + "\n", StandardCharsets.UTF_8, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
