package dev.libsqlplatform.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * Runs the whole harness at a tiny size (1,000 rows, 1 s per measurement, a handful of databases) so it keeps
 * compiling and running. Asserts only that a report with every scenario was written, never a timing.
 * Peers or tools that are not installed (wrk, tursodb, the platform jars) are skipped with a message;
 * bench/run installs them. Not part of the root build: run with {@code mvn -B -f bench/pom.xml test}.
 */
class BenchSmokeTest {
    @Test
    void harnessRunsAtTinySize() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path out = Path.of("target/smoke-results").toAbsolutePath();
        BenchConfig cfg = BenchConfig.parse("--root=" + root, "--out=" + out, "--work=" + Path.of("target/smoke-work").toAbsolutePath(),
                "--rows=1000", "--seconds=1", "--warmup=0", "--clients=1,4", "--write-clients=1,2", "--batch-rows=100",
                "--creates=5", "--list-dbs=10", "--density-dbs=20", "--density-samples=5", "--max-open=5", "--server-heap=256m",
                // two rounds (so the swapped order runs too) at one client: the on/off code path, not a figure
                "--sandbox-rounds=2", "--sandbox-clients=1",
                // one round at one client: the HTTP/WebSocket code path, not a figure
                "--ws-rounds=1", "--ws-clients=1",
                // one round, quiet and contended: the interleaved three-target code path and the CPU hog, not a figure
                "--read-rounds=1", "--contended=true",
                // one round at one client: the direct/forwarded code path (a second worker that forwards), not a figure
                "--forward-rounds=1", "--forward-clients=1");
        Harness h = new Harness(cfg);
        h.run();
        for (String s : h.skipped) System.out.println("[smoke] SKIPPED or FAILED: " + s);

        Path md = out.resolve("latest.md");
        assertTrue(Files.exists(md), "report written");
        String text = Files.readString(md);
        System.out.println(text);
        for (String title : new String[] {Harness.READS, Harness.WRITES, Harness.CONTROL, Harness.DENSITY}) {
            assertTrue(text.contains("## " + title), "section " + title);
        }
        assertTrue(text.contains("| target | peer | figure | peer figure | ratio | goal | met? |"), "table header");
        // what needs nothing but this JVM: raw sqlite-jdbc always runs
        assertTrue(text.contains("raw sqlite-jdbc"), "raw sqlite-jdbc measured");
        assertTrue(Files.exists(out.resolve("writes-autocommit.png")), "chart drawn");
        // the 1-client floor (raw plus a loopback round trip) is measured in process, at 1 client only
        assertTrue(text.contains("| floor autocommit c=1 | raw sqlite-jdbc | rows/s"), "the floor against raw in the writes table");
        assertTrue(!text.contains("floor autocommit c=2") && !text.contains("floor c=1: "), "the floor at 1 client only, without errors");
        // the sandbox on/off rows are written whenever wrk can drive them, measured or not (n/a when the platform is missing)
        if (Wrk.available()) {
            assertTrue(text.contains("platform c=1, sandbox on | same, sandbox off"), "sandbox on/off rows in the reads table");
            assertTrue(text.contains("platform autocommit c=1, sandbox on | same, sandbox off"), "sandbox on/off rows in the writes table");
            assertTrue(text.contains("platform c=1, HTTP | same, WebSocket"), "HTTP/WebSocket rows in the reads table");
            assertTrue(text.contains("| platform c=4, contended | ceiling | server CPU/request"), "contended rows in the reads table");
            // writes: the three targets interleaved, quiet and contended; the ceiling answers inserts too
            assertTrue(text.contains("| platform autocommit c=2, contended | ceiling | server CPU/request"), "contended rows in the writes table");
            assertTrue(text.contains("| ceiling autocommit c=1 | raw sqlite-jdbc | rows/s"), "the ceiling against raw in the writes table");
            assertTrue(!text.contains("ceiling: **failed") && !text.contains("ceiling c=1: "), "the ceiling ran without failures or errors");
        }
    }
}
