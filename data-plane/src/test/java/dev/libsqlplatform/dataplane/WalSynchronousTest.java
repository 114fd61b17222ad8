package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.DbConnection;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which {@code synchronous} tenant databases run at: with the frame log on, {@code replication.wal-synchronous}
 * (default NORMAL: the log's fsync is the one flush per commit); with it off, {@code platform.worker.synchronous}. OFF
 * with the log on would let a checkpoint restart the WAL before the database file is flushed, so it is refused.
 */
class WalSynchronousTest {
    /** The sandbox's authorizer refuses PRAGMA synchronous on tenant connections, which the test reads. */
    private static final String NO_SANDBOX = "platform.worker.sandbox.enabled=false";

    @TempDir
    Path dir;

    private static long synchronous(Worker w, String db) throws Exception {
        OpenDatabase open = w.ctx.getBean(DatabaseRegistry.class).lease(db);
        DbConnection c = open.acquireWriter();
        try (Statement st = c.jdbc().createStatement(); ResultSet rs = st.executeQuery("PRAGMA synchronous")) {
            rs.next();
            return rs.getLong(1);
        } finally {
            open.releaseWriter(c);
            open.release();
        }
    }

    @Test
    void withTheLogOnTheWalRunsAtNormalByDefault() throws Exception {
        try (Worker w = new Worker(dir, NO_SANDBOX)) {
            String db = w.createDatabase("sync", "acme");
            w.exec(w.token(db), "CREATE TABLE t (v)");
            assertThat(synchronous(w, db)).isEqualTo(1);
        }
    }

    @Test
    void fullIsKeptWhenAskedFor() throws Exception {
        try (Worker w = new Worker(dir, NO_SANDBOX, "platform.worker.replication.wal-synchronous=FULL")) {
            String db = w.createDatabase("sync", "acme");
            assertThat(synchronous(w, db)).isEqualTo(2);
        }
    }

    @Test
    void withTheLogOffTheWorkerSettingApplies() throws Exception {
        try (Worker w = new Worker(dir, NO_SANDBOX, "platform.worker.replication.enabled=false")) {
            String db = w.createDatabase("sync", "acme");
            assertThat(synchronous(w, db)).isEqualTo(2);
        }
    }

    @Test
    void offIsRefusedWithTheLogOn() {
        assertThatThrownBy(() -> new Worker(dir, "platform.worker.replication.wal-synchronous=OFF").close())
                .hasStackTraceContaining("wal-synchronous=OFF is not allowed");
    }
}
