package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group commit led on a thread that must not block ({@link InlineRun#begin(long, boolean)}: the SQL port's event loop
 * when it serves no other connection): it leads in place only when the writer is free and nothing long comes first,
 * never waits for the writer, and a group that outlasts the run's budget commits nothing there and is led again from a
 * request thread, each statement with effect exactly once.
 */
@Timeout(60)
class GroupCommitInlineTest {
    @TempDir
    Path dir;
    OpenDatabase db;
    final ExecutorService pool = Executors.newSingleThreadExecutor();
    final AtomicInteger dispatched = new AtomicInteger();
    /** The request threads: counts the leads handed to them. */
    final Executor leaders = task -> {
        dispatched.incrementAndGet();
        pool.execute(task);
    };

    @AfterEach
    void close() {
        pool.shutdownNow();
        if (db != null) {
            db.close();
        }
    }

    private void open(int checkpointFrames) throws Exception {
        db = LoggedDatabases.open("inline", dir.resolve("db"), checkpointFrames, 100_000);
        LoggedDatabases.exec(db, "CREATE TABLE t(x)");
        LoggedDatabases.exec(db, "INSERT INTO t WITH RECURSIVE s(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM s WHERE v < 300)"
                + " SELECT v FROM s");
        LoggedDatabases.exec(db, "CREATE TABLE w(v)");
    }

    /** Submits {@code sql} as the front does, in a run of {@code budgetMillis} that may or may not lead. */
    private CompletableFuture<StatementOutcome> submit(String sql, long budgetMillis, boolean mayLead, InlineRun[] runOut) {
        CompletableFuture<StatementOutcome> told = new CompletableFuture<>();
        InlineRun run = InlineRun.begin(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(budgetMillis), mayLead);
        try {
            db.runner().runGroupedAsync(sql, LoggedDatabases.NO_ARGS, false, ResultBudget.unlimited(), leaders,
                    (result, error) -> {
                        if (error != null) {
                            told.completeExceptionally(error);
                        } else {
                            told.complete(result);
                        }
                    });
        } finally {
            run.end();
        }
        runOut[0] = run;
        return told;
    }

    @Test
    void aRunThatMayLeadCommitsTheWriteInPlace() throws Exception {
        open(1000);
        InlineRun[] run = new InlineRun[1];
        CompletableFuture<StatementOutcome> told = submit("INSERT INTO w VALUES (1)", 200, true, run);
        assertThat(told).as("answered before the call returned: the write was led right here").isDone();
        assertThat(told.get().affectedRowCount()).isEqualTo(1);
        assertThat(run[0].ledWrites()).isTrue();
        assertThat(run[0].gaveUp()).isFalse();
        assertThat(dispatched).hasValue(0);
        assertThat(LoggedDatabases.query(db, "SELECT count(*) FROM w")).isEqualTo("1");
    }

    @Test
    void aRunThatMayNotLeadHandsTheLeadToARequestThread() throws Exception {
        open(1000);
        InlineRun[] run = new InlineRun[1];
        CompletableFuture<StatementOutcome> told = submit("INSERT INTO w VALUES (1)", 200, false, run);
        assertThat(told.get(10, TimeUnit.SECONDS).affectedRowCount()).isEqualTo(1);
        assertThat(run[0].ledWrites()).isFalse();
        assertThat(dispatched).hasValue(1);
    }

    @Test
    void aHeldWriterIsNotWaitedForOnTheLoop() throws Exception {
        open(1000);
        DbConnection held = db.acquireWriter(); // an interactive transaction, say
        CompletableFuture<StatementOutcome> told;
        InlineRun[] run = new InlineRun[1];
        try {
            long t0 = System.nanoTime();
            told = submit("INSERT INTO w VALUES (1)", 200, true, run);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("no wait for the writer").isLessThan(100);
            assertThat(dispatched).hasValue(1);
            assertThat(run[0].ledWrites()).isFalse();
            Thread.sleep(100);
            assertThat(told).as("nothing is answered while the writer is held").isNotDone();
        } finally {
            db.releaseWriter(held);
        }
        assertThat(told.get(10, TimeUnit.SECONDS).affectedRowCount()).isEqualTo(1);
    }

    @Test
    void aWriteThatOutlastsTheBudgetIsLedAgainOffTheLoopAndTakesEffectOnce() throws Exception {
        open(1000);
        InlineRun[] run = new InlineRun[1];
        // 90,000 rows: far longer than a 1 ms budget, well within the statement timeout
        CompletableFuture<StatementOutcome> told = submit("INSERT INTO w SELECT a.x FROM t a, t b", 1, true, run);
        assertThat(run[0].gaveUp()).isTrue();
        assertThat(run[0].ledWrites()).isFalse();
        assertThat(dispatched).hasValue(1);
        assertThat(told.get(30, TimeUnit.SECONDS).affectedRowCount()).isEqualTo(90_000);
        assertThat(LoggedDatabases.query(db, "SELECT count(*) FROM w")).isEqualTo("90000");
        // and the next quick write is led in place again
        CompletableFuture<StatementOutcome> next = submit("INSERT INTO w VALUES (1)", 200, true, run);
        assertThat(next).isDone();
        assertThat(run[0].ledWrites()).isTrue();
    }

    @Test
    void aDueCheckpointIsLeftToARequestThread() throws Exception {
        open(1); // every write leaves a checkpoint due
        InlineRun[] run = new InlineRun[1];
        CompletableFuture<StatementOutcome> told = submit("INSERT INTO w VALUES (1)", 200, true, run);
        assertThat(told.get(10, TimeUnit.SECONDS).affectedRowCount()).isEqualTo(1);
        assertThat(run[0].ledWrites()).isFalse();
        assertThat(dispatched).hasValue(1);
    }
}
