package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** Control-plane metadata on PostgreSQL (127.0.0.1:5432), in a database created for this run and dropped after. */
class PostgresPlatformIT extends AbstractPlatformIT {

    private PostgresDatabase database;

    @Override
    protected String datasourceUrl() throws Exception {
        database = PostgresDatabase.create();
        return database.jdbcUrl();
    }

    @Override
    protected String variant() {
        return "postgres";
    }

    @Test
    @Order(4)
    void metadataLivesInThePostgresDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection(database.jdbcUrl()); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM information_schema.tables "
                        + "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")) {
            rs.next();
            assertTrue(rs.getInt(1) > 0, "the control plane created no table in PostgreSQL database "
                    + database.name() + ": it is not using SPRING_DATASOURCE_URL");
        }
        assertTrue(!java.nio.file.Files.exists(platform.root().resolve("control-plane/metadata.db")),
                "with SPRING_DATASOURCE_URL set the control plane must not create metadata.db");
    }

    @Override
    protected void cleanUp() throws Exception {
        if (database != null) {
            database.close();
            database = null;
        }
    }
}
