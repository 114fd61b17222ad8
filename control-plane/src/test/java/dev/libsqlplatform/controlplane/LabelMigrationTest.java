package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.libsqlplatform.controlplane.support.TestPostgres;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migration V4 on both engines: existing databases get their hostname label backfilled; where two live databases
 * already collided, the older keeps the label and the later gets none (so the unique index can be created), and
 * from then on the index refuses a second live holder.
 */
class LabelMigrationTest {

    @Test
    void sqlite() throws Exception {
        Path dir = Files.createTempDirectory("cp-label-migration");
        check("jdbc:sqlite:" + dir.resolve("metadata.db"), null, null);
    }

    @Test
    void postgres() throws Exception {
        TestPostgres pg = TestPostgres.create();
        try {
            check(pg.url, pg.username, pg.password);
        } finally {
            pg.drop();
        }
    }

    private static void check(String url, String user, String password) throws SQLException {
        Flyway.configure().dataSource(url, user, password).target("3").load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("INSERT INTO organizations (id, slug, name, type, plan_id, created_at) VALUES "
                    + "('o1', 'acme', 'acme', 'team', 'starter', 1), ('o2', 'prod-acme', 'prod-acme', 'team', 'starter', 2)");
            s.execute("INSERT INTO db_groups (id, organization_id, name, primary_location, created_at) VALUES "
                    + "('g1', 'o1', 'default', 'local', 1), ('g2', 'o2', 'default', 'local', 2)");
            String cols = "INSERT INTO databases (id, organization_id, group_id, name, state, max_bytes, config_version, "
                    + "pushed_version, created_at, updated_at, deleted_at) VALUES ";
            s.execute(cols + "('d-old', 'o1', 'g1', 'shop-prod', 'ready', 1, 1, 1, 10, 10, NULL)");
            s.execute(cols + "('d-new', 'o2', 'g2', 'shop', 'ready', 1, 1, 1, 20, 20, NULL)");
            s.execute(cols + "('d-gone', 'o2', 'g2', 'shop', 'deleting', 1, 1, 1, 5, 5, 6)");
            s.execute(cols + "('d-plain', 'o2', 'g2', 'orders', 'ready', 1, 1, 1, 30, 30, NULL)");
        }
        Flyway.configure().dataSource(url, user, password).load().migrate();
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            Map<String, String> labels = new LinkedHashMap<>();
            try (ResultSet rs = s.executeQuery("SELECT id, label FROM databases ORDER BY id")) {
                while (rs.next()) {
                    labels.put(rs.getString(1), rs.getString(2));
                }
            }
            assertThat(labels).containsEntry("d-old", "shop-prod-acme").containsEntry("d-new", null)
                    .containsEntry("d-gone", "shop-prod-acme").containsEntry("d-plain", "orders-prod-acme");
            assertThatThrownBy(() -> s.execute("UPDATE databases SET label = 'shop-prod-acme' WHERE id = 'd-plain'"))
                    .isInstanceOf(SQLException.class);
        }
    }
}
