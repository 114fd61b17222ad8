package dev.libsqlplatform.bench;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write peer: sqlite-jdbc in this process, WAL, the same {@code synchronous} setting as the worker,
 * the same statement and the same 22-byte value as the HTTP load. Measured with plain Java loops
 * (there is no HTTP here, so wrk cannot drive it).
 */
final class RawSqlite {
    private RawSqlite() {}

    static Connection open(Path file, String synchronous) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000"); // first: journal_mode may need the lock
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=" + synchronous);
            s.execute("CREATE TABLE IF NOT EXISTS w(k INTEGER PRIMARY KEY, v TEXT)");
        }
        return c;
    }

    /** Batches of {@code rows} inserts in one transaction, one thread; ops are batches. */
    static Measure batches(Path file, String synchronous, int rows, int seconds) throws Exception {
        return run(file, synchronous, 1, seconds, rows);
    }

    /**
     * Autocommit single-row inserts from {@code threads} threads, each with its own connection, as one measurement of
     * the rounds (a {@link Wrk.Result} without wrk).
     */
    static Wrk.Result autocommitRound(Path file, String synchronous, int threads, int seconds) throws Exception {
        return asRound(run(file, synchronous, threads, seconds, 1), seconds);
    }

    private static Wrk.Result asRound(Measure m, int seconds) {
        return new Wrk.Result(m.ops(), seconds, m.opsPerSec(), Math.round(m.p50ms() * 1000), -1, Math.round(m.p99ms() * 1000), -1,
                m.errors(), m.toString());
    }

    /**
     * The floor of any networked server at {@code threads} clients: each autocommit insert as above, then one round trip
     * of {@value #ECHO_BYTES} bytes over loopback TCP to an echo thread of this process (what a request and its answer
     * cost in the kernel and in two thread wake-ups, without HTTP, JSON or anything else a server does).
     */
    static Wrk.Result autocommitEchoRound(Path file, String synchronous, int threads, int seconds) throws Exception {
        try (Echo echo = new Echo()) {
            return asRound(run(file, synchronous, threads, seconds, 1, echo.port()), seconds);
        }
    }

    static final int ECHO_BYTES = 300;

    /** Sends back whatever each connection sends, a thread per connection. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());

        Echo() throws IOException {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        s.setTcpNoDelay(true);
                        Thread t = new Thread(() -> {
                            byte[] b = new byte[4096];
                            try (s) {
                                int n;
                                while ((n = s.getInputStream().read(b)) > 0) {
                                    s.getOutputStream().write(b, 0, n);
                                }
                            } catch (IOException ignored) {
                                // the client closed
                            }
                        }, "bench-echo");
                        t.setDaemon(true);
                        t.start();
                    } catch (IOException e) {
                        return; // closed
                    }
                }
            }, "bench-echo-accept");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static Measure run(Path file, String synchronous, int threads, int seconds, int rowsPerTx) throws Exception {
        return run(file, synchronous, threads, seconds, rowsPerTx, -1);
    }

    /**
     * Appends to {@code file} when it exists (a round measures the same table as the rounds before, as on the platform).
     * {@code echoPort}: after each op a round trip to that echo server (-1: none).
     */
    private static Measure run(Path file, String synchronous, int threads, int seconds, int rowsPerTx, int echoPort) throws Exception {
        try (Connection c = open(file, synchronous)) {
            // schema created once before the threads start
        }
        List<Measure.Recorder> recs = new ArrayList<>();
        List<Thread> ts = new ArrayList<>();
        AtomicLong errors = new AtomicLong();
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        long t0 = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Measure.Recorder rec = new Measure.Recorder();
            recs.add(rec);
            Thread th = new Thread(() -> {
                try (Connection c = open(file, synchronous);
                     PreparedStatement p = c.prepareStatement("INSERT INTO w(v) VALUES (?)");
                     Socket echo = echoPort < 0 ? null : new Socket(InetAddress.getLoopbackAddress(), echoPort)) {
                    byte[] trip = new byte[ECHO_BYTES];
                    if (echo != null) echo.setTcpNoDelay(true);
                    while (System.nanoTime() < deadline) {
                        long s = System.nanoTime();
                        try {
                            if (rowsPerTx == 1) {
                                p.setString(1, "bench-value-0123456789");
                                p.executeUpdate();
                            } else {
                                c.setAutoCommit(false);
                                for (int i = 0; i < rowsPerTx; i++) {
                                    p.setString(1, "bench-value-0123456789");
                                    p.executeUpdate();
                                }
                                c.commit();
                                c.setAutoCommit(true);
                            }
                            if (echo != null) {
                                echo.getOutputStream().write(trip);
                                for (int got = 0; got < trip.length; ) {
                                    int n = echo.getInputStream().read(trip, got, trip.length - got);
                                    if (n < 0) throw new EOFException("echo closed");
                                    got += n;
                                }
                            }
                            rec.add(System.nanoTime() - s);
                        } catch (SQLException e) {
                            errors.incrementAndGet();
                            try { if (!c.getAutoCommit()) { c.rollback(); c.setAutoCommit(true); } } catch (SQLException ignored) { }
                        }
                    }
                } catch (SQLException | IOException e) {
                    errors.incrementAndGet();
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) th.join();
        double elapsed = (System.nanoTime() - t0) / 1e9;
        Measure.Recorder all = Measure.Recorder.merge(recs);
        return Measure.ofLatencies(all.nanos, all.n, elapsed, errors.get());
    }
}
