package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.Requester;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Interrupts statements whose client has gone: a tenant that starts an expensive query and disconnects
 * must not keep a connection (and the writer, or a reader) busy until the statement deadline.
 *
 * <p>Tomcat does not watch a connection while its request is being processed, and probing the socket from
 * another thread would race with the request thread. The kernel knows, though: once the client closes, our
 * end of the connection leaves ESTABLISHED (CLOSE_WAIT after its FIN) or disappears (after an RST). So a
 * watcher looks, every {@link #PERIOD_MILLIS}, at statements running longer than {@link #MIN_AGE_MILLIS},
 * and only when there are some reads {@code /proc/net/tcp} and {@code /proc/net/tcp6} — nothing on the fast
 * path but recording who asked (a small record per request).
 */
@Component
class ClientWatch implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(ClientWatch.class);
    static final long PERIOD_MILLIS = 250;
    static final long MIN_AGE_MILLIS = 500;
    private static final List<Path> TCP_TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    private static final String ESTABLISHED = "01";

    /** The client of a request: our port and theirs identify the TCP connection. */
    record Client(int localPort, int remotePort) {
    }

    private final DatabaseRegistry registry;
    private final Counter cancelled;
    private final ScheduledExecutorService timer;

    ClientWatch(DatabaseRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.cancelled = Counter.builder("worker.statements.cancelled")
                .description("statements interrupted because their client closed the connection")
                .tag("reason", "client_gone").register(meters);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "client-watch");
            t.setDaemon(true);
            return t;
        });
        if (TCP_TABLES.stream().anyMatch(Files::isReadable)) {
            timer.scheduleWithFixedDelay(this::sweep, PERIOD_MILLIS, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
        } else {
            log.warn("no /proc/net/tcp: statements of clients that disconnect run until the statement timeout");
        }
    }

    /** Marks the current thread's statements as run for this client, until {@link #done()}. */
    static void begin(int localPort, int remotePort) {
        Requester.set(new Client(localPort, remotePort));
    }

    static void done() {
        Requester.clear();
    }

    /**
     * Interrupts at once the statements started for {@code requester} (a transport that learns of the close
     * directly, as WebSocket does, needs no polling).
     */
    void cancelNow(Object requester) {
        registry.visitRunning(0, (conn, who) -> {
            if (who == requester) {
                conn.cancel("its client closed the connection");
                cancelled.increment();
            }
        });
    }

    void sweep() {
        try {
            Map<Long, String>[] states = new Map[1];
            registry.visitRunning(TimeUnit.MILLISECONDS.toNanos(MIN_AGE_MILLIS), (conn, who) -> {
                if (!(who instanceof Client c)) {
                    return;
                }
                if (states[0] == null) {
                    states[0] = readStates();
                }
                String state = states[0].get(key(c.localPort(), c.remotePort()));
                if (!ESTABLISHED.equals(state)) {
                    conn.cancel("its client closed the connection");
                    cancelled.increment();
                }
            });
        } catch (RuntimeException e) {
            log.warn("client watch failed: {}", e.toString());
        }
    }

    private static long key(int localPort, int remotePort) {
        return ((long) localPort << 16) | remotePort;
    }

    /** TCP state per (local port, remote port); a connection missing from the tables is gone. */
    static Map<Long, String> readStates() {
        Map<Long, String> states = new HashMap<>();
        for (Path table : TCP_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                // "  sl  local_address rem_address   st ...": addresses are HEXIP:HEXPORT
                String[] f = lines.get(i).trim().split("\\s+");
                if (f.length < 4) {
                    continue;
                }
                int local = port(f[1]);
                int remote = port(f[2]);
                if (local >= 0 && remote >= 0) {
                    String st = f[3].toUpperCase(Locale.ROOT);
                    // the same port pair twice (IPv4 and IPv6 peers): ESTABLISHED wins, never cancel on doubt
                    states.merge(key(local, remote), st, (a, b) -> ESTABLISHED.equals(a) ? a : b);
                }
            }
        }
        return states;
    }

    private static int port(String address) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(address.substring(colon + 1), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }
}
