package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Only the writer checkpoints, and only frames the log already holds: SQLite's automatic checkpoint (at 1000 WAL
 * frames by default, inside the commit, before the frame log has captured it) must never run on a logged database.
 * The database file is the witness: a checkpoint is the only thing that writes pages into it.
 */
class WalCheckpointTest {
    @TempDir
    Path dir;
    OpenDatabase db;

    @AfterEach
    void close() {
        if (db != null) {
            db.close();
        }
    }

    @Test
    void noCheckpointRunsBeforeTheWriterAsksForOneEvenPastSqlitesOwnThreshold() throws Exception {
        db = LoggedDatabases.open("a", dir, 1_000_000, 1_000_000);
        LoggedDatabases.exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
        long fileBefore = Files.size(dir.resolve("data.db"));
        for (int i = 0; i < 1_500; i++) {
            LoggedDatabases.exec(db, "INSERT INTO t (v) VALUES (randomblob(1000))");
        }
        assertThat(db.frameLog().walFrames()).isGreaterThan(1_500);
        assertThat(Files.size(dir.resolve("data.db"))).as("pages checkpointed into the database file")
                .isEqualTo(fileBefore);
        assertThat(LoggedDatabases.query(db, "SELECT count(*) FROM t")).isEqualTo("1500");
    }

    @Test
    void theWriterCheckpointsOnceItsThresholdOfLoggedFramesIsReached() throws Exception {
        db = LoggedDatabases.open("b", dir, 200, 1_000_000);
        LoggedDatabases.exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)");
        long fileBefore = Files.size(dir.resolve("data.db"));
        for (int i = 0; i < 300; i++) {
            LoggedDatabases.exec(db, "INSERT INTO t (v) VALUES (randomblob(1000))");
        }
        assertThat(Files.size(dir.resolve("data.db"))).isGreaterThan(fileBefore);
        long logged = db.frameLog().lastCommitFrameNo();
        assertThat(logged).isGreaterThanOrEqualTo(300);
        assertThat(LoggedDatabases.query(db, "SELECT count(*) FROM t")).isEqualTo("300");
    }
}
