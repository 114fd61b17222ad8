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
    private final JdbcClient jdbc;
    private final TransactionTemplate tx;

    AdminBootstrap(PlatformProperties properties, UserService users, OrganizationService organizations,
                   GroupService groups, ApiTokenService tokens, JdbcClient jdbc, TransactionTemplate tx) {
        this.properties = properties;
        this.users = users;
        this.organizations = organizations;
        this.groups = groups;
        this.tokens = tokens;
        this.jdbc = jdbc;
        this.tx = tx;
    }

    @Override
    public void afterSingletonsInstantiated() {
        tx.executeWithoutResult(status -> {
            // Control planes sharing one PostgreSQL database may start at the same instant, and every step below is
            // find-or-insert: two starts would both insert and the later one fail on a unique key. The first
            // statement of the one transaction takes a row lock (a no-op update of the one epoch row; on SQLite the
            // transaction already holds the write lock), so starts run one after another and the later one finds
            // everything in place.
            jdbc.sql("UPDATE api_token_epoch SET epoch = epoch WHERE id = 1").update();
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
