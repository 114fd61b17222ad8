package dev.libsqlplatform.dataplane.storage;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Tenant databases with the frame log on and the WAL at {@code synchronous=NORMAL} (the log's fsync is a commit's
 * only flush), opened as the worker opens them, for the frame-log tests that damage or starve their files.
 */
final class LoggedDatabases {
    static final StatementRunner.Binder<RuntimeException> NO_ARGS = ps -> {
    };
    /** SQLite's WAL header and frame (24-byte header + one 4096-byte page): what a lost tail of the WAL is cut at. */
    static final int WAL_HEADER = 32;
    static final int WAL_FRAME = 24 + 4096;

    private LoggedDatabases() {
    }

    /** {@code <dir>/data.db}, checkpointing every {@code checkpointFrames}, compacting at {@code maxLogFrames}. */
    static OpenDatabase open(String id, Path dir, int checkpointFrames, long maxLogFrames) throws Exception {
        SqliteEngine.load();
        Files.createDirectories(dir);
        LimitsProperties l = EngineSandboxTest.limits(Duration.ofSeconds(5));
        StorageSettings settings = new StorageSettings(2, 2000, "NORMAL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true, true, checkpointFrames, maxLogFrames);
        return new OpenDatabase(id, dir.resolve("data.db"), settings, 0, (sql, read, written) -> {
        }, new BlockedWaits());
    }

    /**
     * The files of {@code from} (database, WAL, shared memory, frame log) as a power loss would leave them: a copy
     * taken while the database is open, nothing flushed or checkpointed at close; in {@code tmp/name}.
     */
    static Path crashCopy(Path tmp, Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        Files.createDirectories(to.resolve("log"));
        for (String f : new String[] {"data.db", "data.db-wal", "data.db-shm"}) {
            if (Files.exists(from.resolve(f))) {
                Files.copy(from.resolve(f), to.resolve(f));
            }
        }
        try (Stream<Path> files = Files.list(from.resolve("log"))) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve("log").resolve(f.getFileName()));
            }
        }
        return to;
    }

    /** One acknowledged autocommit write: returns only once the frame log has made it durable. */
    static void exec(OpenDatabase db, String sql) throws Exception {
        DbConnection w = db.acquireWriter();
        try {
            db.runner().run(w, sql, sql, NO_ARGS, false, ResultBudget.unlimited());
        } finally {
            db.releaseWriter(w);
        }
    }

    /** The first column of the first row, read on a reader connection. */
    static String query(OpenDatabase db, String sql) throws Exception {
        DbConnection r = db.acquireReader();
        try (Statement st = r.jdbc().createStatement(); var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } finally {
            db.releaseReader(r);
        }
    }
}
