package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run on a thread that must not block ({@link InlineRun}, the SQL port's event loop): storage gives up instead of
 * waiting or running long, and says so; without a run nothing changes.
 */
class InlineRunTest {
    private static final StatementRunner.Binder<RuntimeException> NO_ARGS = ps -> {
    };

    @TempDir
    Path dir;
    OpenDatabase db;
    final List<String> told = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        SqliteEngine.load();
        LimitsProperties l = EngineSandboxTest.limits(Duration.ofSeconds(5));
        StorageSettings settings = new StorageSettings(1, 2000, "FULL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true);
        db = new OpenDatabase("r", dir.resolve("data.db"), settings, 0,
                (sql, read, written) -> told.add(sql), new BlockedWaits());
        DbConnection w = db.acquireWriter();
        try {
            db.runner().run(w, "CREATE TABLE t(x)", "CREATE TABLE t(x)", NO_ARGS, true, ResultBudget.unlimited());
            db.runner().run(w, "INSERT INTO t WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < 300)"
                    + " SELECT v FROM s", "fill", NO_ARGS, true, ResultBudget.unlimited());
        } finally {
            db.releaseWriter(w);
        }
        db.releaseReader(db.acquireReader()); // one idle reader (readers-per-database is 1 here)
        told.clear();
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Object[] read(String sql) throws Exception {
        DbConnection r = db.acquireReader();
        try {
            return db.runner().run(r, sql, sql, NO_ARGS, true, ResultBudget.unlimited()).rows().get(0);
        } finally {
            db.releaseReader(r);
        }
    }

    @Test
    void aQuickReadRunsAndNothingGivesUp() throws Exception {
        InlineRun run = InlineRun.begin(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
        try {
            assertThat(read("SELECT count(*) FROM t")[0]).isEqualTo(300L);
        } finally {
            run.end();
        }
        assertThat(run.gaveUp()).isFalse();
    }

    @Test
    void aLongReadIsCutAtTheRunsDeadlineNotTheStatements() throws Exception {
        String slow = "SELECT count(*) FROM t a, t b, t c";
        long t0 = System.nanoTime();
        InlineRun run = InlineRun.begin(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2));
        try {
            assertThatThrownBy(() -> read(slow)).isInstanceOf(SQLException.class)
                    .hasMessageContaining("moved off the event loop");
        } finally {
            run.end();
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(1000);
        assertThat(run.gaveUp()).isTrue();
        assertThat(run.reason()).contains("budget");
        assertThat(told).as("an interrupted statement is not metered").isEmpty();
        // without a run the same statement completes (27 million rows)
        assertThat(read(slow)[0]).isEqualTo(27_000_000L);
    }

    @Test
    void waitingForAReaderOrTheWriterIsGivingUp() throws Exception {
        DbConnection held = db.acquireReader();
        try {
            InlineRun run = InlineRun.begin(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(db::acquireReader).isInstanceOf(DatabaseBusyException.class);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("no wait").isLessThan(100);
                assertThat(run.reason()).contains("no read connection is idle");
                assertThatThrownBy(db::acquireWriter).isInstanceOf(DatabaseBusyException.class);
            } finally {
                run.end();
            }
        } finally {
            db.releaseReader(held);
        }
        assertThat(read("SELECT 1")[0]).isEqualTo(1L);
    }
}
