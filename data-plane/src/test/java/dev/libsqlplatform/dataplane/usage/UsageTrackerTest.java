package dev.libsqlplatform.dataplane.usage;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class UsageTrackerTest {

    @Test
    void topTenQueriesByRowsRead() {
        UsageTracker t = new UsageTracker(new SimpleMeterRegistry());
        DatabaseUsage u = t.forDatabase("d");
        for (int i = 1; i <= 15; i++) {
            u.recordStatement("SELECT " + i, i, 0);
        }
        u.recordStatement("SELECT 15", 15, 0);
        UsageReport r = t.nextReport(List.of("d"), id -> 4096);
        WorkerHeartbeat.DatabaseUsage e = r.usage().get(0);
        assertThat(e.rowsRead()).isEqualTo(120 + 15);
        assertThat(e.storageBytes()).isEqualTo(4096);
        assertThat(e.queries()).hasSize(10);
        assertThat(e.queries().get(0)).isEqualTo(new WorkerHeartbeat.QueryUsage("SELECT 15", 30L, 0L, 2L));
        assertThat(e.queries().get(9).query()).isEqualTo("SELECT 6");
    }

    @Test
    void pendingReportIsResentUntilAcknowledgedAndNothingIsLostUnderConcurrency() throws Exception {
        UsageTracker t = new UsageTracker(new SimpleMeterRegistry());
        AtomicBoolean stop = new AtomicBoolean();
        int threads = 4;
        long[] done = new long[threads];
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            int n = i;
            Thread th = new Thread(() -> {
                DatabaseUsage u = t.forDatabase("db" + (n % 2));
                while (!stop.get()) {
                    u.recordStatement("INSERT " + (done[n] % 3), 0, 2);
                    done[n]++;
                }
            });
            workers.add(th);
            th.start();
        }
        long read = 0;
        long written = 0;
        Set<String> acknowledged = new java.util.HashSet<>();
        for (int round = 0; round < 200; round++) {
            UsageReport r = t.nextReport(List.of("db0", "db1"), id -> 0);
            if (r == null) {
                continue;
            }
            if (round % 3 == 0) {
                // "failed": the next call must return the very same report
                assertThat(t.nextReport(List.of("db0", "db1"), id -> 0)).isSameAs(r);
                continue;
            }
            assertThat(acknowledged.add(r.reportId())).isTrue();
            for (WorkerHeartbeat.DatabaseUsage e : r.usage()) {
                read += e.rowsRead();
                written += e.rowsWritten();
            }
            t.acknowledge(r.reportId());
        }
        stop.set(true);
        for (Thread th : workers) {
            th.join();
        }
        for (int i = 0; i < 2; i++) {
            UsageReport r = t.nextReport(List.of("db0", "db1"), id -> 0);
            if (r != null) {
                for (WorkerHeartbeat.DatabaseUsage e : r.usage()) {
                    read += e.rowsRead();
                    written += e.rowsWritten();
                }
                t.acknowledge(r.reportId());
            }
        }
        long total = 0;
        for (long d : done) {
            total += d;
        }
        assertThat(read).isEqualTo(total);
        assertThat(written).isEqualTo(2 * total);
    }

    /** A restarted worker (a new tracker on the same spool) sends the very report it had drawn, until acknowledged. */
    @Test
    void thePendingReportSurvivesARestartUntilAcknowledged(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        UsageTracker first = new UsageTracker(new SimpleMeterRegistry(), dir);
        first.forDatabase("d").recordStatement("INSERT", 1, 7);
        UsageReport drawn = first.nextReport(List.of("d"), id -> 8192);
        assertThat(dir.resolve("pending.json")).exists();
        // kill -9 here: the next process finds the same report and sends it again (the control plane dedups by id)
        UsageTracker second = new UsageTracker(new SimpleMeterRegistry(), dir);
        assertThat(second.pending()).isEqualTo(drawn);
        second.forDatabase("d").recordStatement("INSERT", 1, 5);
        assertThat(second.nextReport(List.of("d"), id -> 8192)).isEqualTo(drawn);
        second.acknowledge("another-report");
        assertThat(dir.resolve("pending.json")).exists();
        second.acknowledge(drawn.reportId());
        assertThat(dir.resolve("pending.json")).doesNotExist();
        UsageReport next = second.nextReport(List.of("d"), id -> 8192);
        assertThat(next.reportId()).isNotEqualTo(drawn.reportId());
        assertThat(next.usage().get(0).rowsWritten()).isEqualTo(5);
        assertThat(new UsageTracker(new SimpleMeterRegistry(), dir).pending()).isEqualTo(next);
    }

    /** Between heartbeats the counters are drawn to disk; nothing is sent and nothing is counted twice. */
    @Test
    void spoolingBetweenHeartbeatsPutsTheCountsOnDisk(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        UsageTracker t = new UsageTracker(new SimpleMeterRegistry(), dir);
        t.forDatabase("d").recordStatement("INSERT", 1, 3);
        t.spool(List.of("d"), id -> 4096);
        // kill -9 here: the next process has them
        assertThat(new UsageTracker(new SimpleMeterRegistry(), dir).pending().usage().get(0).rowsWritten()).isEqualTo(3);
        t.forDatabase("d").recordStatement("INSERT", 1, 4);
        t.spool(List.of("d"), id -> 4096); // not sent yet: the same report grows
        UsageReport sent = t.nextReport(List.of("d"), id -> 4096);
        assertThat(sent.usage().get(0).rowsWritten()).isEqualTo(7);
        t.forDatabase("d").recordStatement("INSERT", 1, 5);
        t.spool(List.of("d"), id -> 4096); // sent and unanswered: it stays as it is, the 5 go to the follow-up
        assertThat(t.nextReport(List.of("d"), id -> 4096)).isEqualTo(sent);
        assertThat(dir.resolve("next.json")).exists();
        t.acknowledge(sent.reportId());
        UsageReport next = t.nextReport(List.of("d"), id -> 4096);
        assertThat(next.reportId()).isNotEqualTo(sent.reportId());
        assertThat(next.usage().get(0).rowsWritten()).isEqualTo(5);
        assertThat(dir.resolve("next.json")).doesNotExist();
    }
}
