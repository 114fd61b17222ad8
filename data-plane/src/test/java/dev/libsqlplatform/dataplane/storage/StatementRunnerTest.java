package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's results, and what its listener (metering) is told: each statement that ran, once, with its rows. */
class StatementRunnerTest {
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
        StorageSettings settings = new StorageSettings(2, 2000, "FULL", l.engineLimits(),
                l.statementTimeout().toNanos(), l.maxTempBytes().toBytes(), true);
        db = new OpenDatabase("r", dir.resolve("data.db"), settings, 0,
                (sql, read, written) -> told.add(sql + " read=" + read + " written=" + written), new BlockedWaits());
        DbConnection w = db.acquireWriter();
        try {
            db.runner().run(w, "CREATE TABLE t(id INTEGER PRIMARY KEY, v)", "CREATE TABLE t(id INTEGER PRIMARY KEY, v)",
                    NO_ARGS, true, ResultBudget.unlimited());
        } finally {
            db.releaseWriter(w);
        }
        told.clear();
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void groupedWritesReportRowsAndRowid() throws Exception {
        StatementOutcome out = db.runner().runGrouped("INSERT INTO t(v) VALUES (?)", ps -> ps.setString(1, "a"), true,
                ResultBudget.unlimited());
        assertThat(out.affectedRowCount()).isEqualTo(1);
        assertThat(out.lastInsertRowid()).isEqualTo(1L);
        assertThat(told).containsExactly("INSERT INTO t(v) VALUES (?) read=0 written=1");
    }

    /**
     * Group commit under contention: each caller gets its own row id, every row is there, and nobody is left waiting
     * (each waiter is woken alone, so a lost wake-up would leave a thread parked past the join below).
     */
    @Test
    void concurrentGroupedWritesEachGetTheirOwnRowAndNobodyIsLeftWaiting() throws Exception {
        int threads = 8;
        int each = 300;
        List<Long> rowids = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        StatementOutcome out = db.runner().runGrouped("INSERT INTO t(v) VALUES (?)",
                                ps -> ps.setString(1, "v"), true, ResultBudget.unlimited());
                        assertThat(out.affectedRowCount()).isEqualTo(1);
                        rowids.add(out.lastInsertRowid());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join(60_000);
            assertThat(th.isAlive()).as("a writer still waiting after 60 s").isFalse();
        }
        assertThat(failures).isEmpty();
        assertThat(rowids).hasSize(threads * each).doesNotHaveDuplicates();
        assertThat(rowsOfT()).isEqualTo((long) threads * each);
    }

    private long rowsOfT() throws Exception {
        DbConnection r = db.acquireReader();
        try {
            return (Long) db.runner().run(r, "SELECT count(*) FROM t", "q", NO_ARGS, true, ResultBudget.unlimited())
                    .rows().get(0)[0];
        } finally {
            db.releaseReader(r);
        }
    }

    /**
     * Asynchronous and waiting callers share groups: every continuation is called exactly once, after its statement
     * committed; a failing statement fails alone (its group reruns each statement by itself); waiting callers still
     * lead when they are queued; groups of only asynchronous callers are led from the executor.
     */
    @Test
    void asynchronousGroupedWritesAreEachToldOnceAndFailAlone() throws Exception {
        DbConnection w0 = db.acquireWriter();
        try {
            db.runner().run(w0, "CREATE UNIQUE INDEX tv ON t(v)", "q", NO_ARGS, true, ResultBudget.unlimited());
        } finally {
            db.releaseWriter(w0);
        }
        java.util.concurrent.ExecutorService leaders = java.util.concurrent.Executors.newFixedThreadPool(2);
        int threads = 6;
        int each = 200;
        java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(threads * each);
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger duplicates = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger twice = new java.util.concurrent.atomic.AtomicInteger();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> ts = new ArrayList<>();
        try {
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < each; i++) {
                        // every 10th value is written by two threads: one of the two must fail, alone
                        String v = i % 10 == 0 ? "dup-" + (thread / 2) + "-" + i : "v-" + thread + "-" + i;
                        StatementRunner.Binder<SQLException> bind = ps -> ps.setString(1, v);
                        if (thread == 0) { // one waiting caller among the asynchronous ones
                            try {
                                db.runner().runGrouped("INSERT INTO t(v) VALUES (?)", bind, true, ResultBudget.unlimited());
                                ok.incrementAndGet();
                            } catch (SQLException e) {
                                duplicates.incrementAndGet();
                            } catch (Exception e) {
                                failures.add(e);
                            }
                            told.countDown();
                            continue;
                        }
                        java.util.concurrent.atomic.AtomicBoolean once = new java.util.concurrent.atomic.AtomicBoolean();
                        db.runner().runGroupedAsync("INSERT INTO t(v) VALUES (?)", bind, true, ResultBudget.unlimited(),
                                leaders, (out, error) -> {
                                    if (!once.compareAndSet(false, true)) {
                                        twice.incrementAndGet();
                                    }
                                    if (error == null && out.affectedRowCount() == 1) {
                                        ok.incrementAndGet();
                                    } else if (error instanceof SQLException) {
                                        duplicates.incrementAndGet();
                                    } else {
                                        failures.add(error != null ? error : new AssertionError("no row written"));
                                    }
                                    told.countDown();
                                });
                    }
                });
                ts.add(th);
                th.start();
            }
            for (Thread th : ts) {
                th.join(60_000);
            }
            assertThat(told.await(60, java.util.concurrent.TimeUnit.SECONDS)).as("every caller told").isTrue();
        } finally {
            leaders.shutdown();
        }
        assertThat(failures).isEmpty();
        assertThat(twice).hasValue(0);
        int pairs = threads / 2 * (each / 10);
        assertThat(duplicates).hasValue(pairs);
        assertThat(ok).hasValue(threads * each - pairs);
        assertThat(rowsOfT()).isEqualTo((long) threads * each - pairs);
    }

    @Test
    void readsReturnEveryStorageClassAndReportRowsRead() throws Exception {
        DbConnection r = db.acquireReader();
        try {
            StatementOutcome out = db.runner().run(r, "SELECT 1, 2.5, 'x', x'01', NULL", "q", NO_ARGS, true,
                    ResultBudget.unlimited());
            assertThat(out.cols()).hasSize(5);
            assertThat(out.rows()).hasSize(1);
            Object[] row = out.rows().get(0);
            assertThat(row[0]).isEqualTo(1L);
            assertThat(row[1]).isEqualTo(2.5);
            assertThat(row[2]).isEqualTo("x");
            assertThat((byte[]) row[3]).containsExactly(1);
            assertThat(row[4]).isNull();
            assertThat(out.lastInsertRowid()).isNull();
        } finally {
            db.releaseReader(r);
        }
        // storage tells rows SCANNED (a constant SELECT scans none); usage counts at least 1 per statement
        assertThat(told).containsExactly("q read=0 written=0");
    }

    @Test
    void failedStatementsAreNotReported() throws Exception {
        DbConnection r = db.acquireReader();
        try {
            assertThatThrownBy(() -> db.runner().run(r, "SELECT * FROM missing", "q", NO_ARGS, true,
                    ResultBudget.unlimited())).isInstanceOf(SQLException.class).hasMessageContaining("no such table");
        } finally {
            db.releaseReader(r);
        }
        assertThat(told).isEmpty();
    }

    @Test
    void rowsBeyondTheBudgetFailTheStatement() throws Exception {
        DbConnection r = db.acquireReader();
        try {
            assertThatThrownBy(() -> db.runner().run(r, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                    + " LIMIT 1000) SELECT x FROM c", "q", NO_ARGS, true, new ResultBudget(1000)))
                    .isInstanceOf(ResultTooLargeException.class).hasMessageContaining("limit of 1000 bytes");
        } finally {
            db.releaseReader(r);
        }
        assertThat(told).isEmpty();
    }

    @Test
    void readonlyTransactionsBeginOnAReader() throws Exception {
        DbConnection r = db.runner().beginReadonly("BEGIN TRANSACTION READONLY");
        try {
            assertThat(r.isReader()).isTrue();
            assertThat(r.inTransaction()).isTrue();
        } finally {
            db.releaseReader(r);
        }
        assertThat(told).containsExactly("BEGIN TRANSACTION READONLY read=0 written=0");
    }
}
