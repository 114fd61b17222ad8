package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A client that starts an endless query and disconnects: its statement is interrupted, not left to the deadline. */
@Timeout(120) // hang guard
class ClientGoneTest {
    @TempDir
    static Path dir;
    static Worker w;

    @BeforeAll
    static void start() {
        // a deadline far beyond the test's waits: only the client watch can end the statement in time
        w = new Worker(dir, "platform.worker.limits.statement-timeout=10m");
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    static int running() {
        AtomicInteger n = new AtomicInteger();
        w.ctx.getBean(DatabaseRegistry.class).visitRunning(0, (c, who) -> n.incrementAndGet());
        return n.get();
    }

    static double cancelled() {
        var counter = w.ctx.getBean(MeterRegistry.class).find("worker.statements.cancelled").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aStatementWhoseClientLeftIsInterrupted() throws Exception {
        String db = w.createDatabase("spin", "acme");
        String token = w.token(db);
        String endless = "WITH RECURSIVE c(x) AS (VALUES(1) UNION ALL SELECT x+1 FROM c) SELECT count(*) FROM c";
        // the pipeline valve, and Spring MVC's legacy POST /
        String[][] requests = {
            {"/v2/pipeline", "{\"baton\":null,\"requests\":[" + Worker.stmtReq(endless) + "]}"},
            {"/", "{\"statements\":[\"" + endless + "\"]}"},
        };
        for (String[] request : requests) {
            String path = request[0];
            byte[] bytes = request[1].getBytes(StandardCharsets.UTF_8);
            double before = cancelled();
            try (Socket s = new Socket("127.0.0.1", w.port)) {
                OutputStream out = s.getOutputStream();
                out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token + "\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(bytes);
                out.flush();
                await().atMost(Duration.ofSeconds(30)).until(() -> running() == 1);
            } // the client leaves
            await().atMost(Duration.ofSeconds(30)).until(() -> running() == 0);
            assertThat(cancelled()).isEqualTo(before + 1);
        }
        // the database's connections are free again
        assertThat(w.exec(token, "SELECT 42").get("rows").get(0).get(0).get("value").asString()).isEqualTo("42");
    }
}
