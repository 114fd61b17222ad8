package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes {@code /actuator/prometheus} of a real worker after real SQL and checks that every series the README
 * documents (section "Metrics") is there and moved the way that SQL must have moved it.
 */
class MetricsScrapeTest {

    @TempDir
    Path dir;

    @Test
    void documentedSeriesAreExposedAndMove() throws Exception {
        Worker w = new Worker(dir);
        try {
            String db = w.createDatabase("metered", "acme");
            String token = w.token(db);
            w.exec(token, "CREATE TABLE t (x)");
            w.exec(token, "INSERT INTO t VALUES (1), (2), (3)");
            w.exec(token, "SELECT * FROM t");
            // a delete closes the database: its WAL is checkpointed
            assertThat(w.send("DELETE", "/internal/v1/databases/" + db, null, "Bearer " + Worker.SECRET, null)
                    .statusCode()).isEqualTo(200);

            String scrape = w.send("GET", "/actuator/prometheus", null, null, null).body();
            assertThat(value(scrape, "worker_statement_duration_seconds_count", "kind=\"read\"")).isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "worker_statement_duration_seconds_count", "kind=\"write\"")
                    + value(scrape, "worker_statement_duration_seconds_count", "kind=\"grouped\"")).isGreaterThanOrEqualTo(2);
            assertThat(value(scrape, "worker_write_transaction_duration_seconds_count", "")).isGreaterThanOrEqualTo(2);
            assertThat(value(scrape, "worker_checkpoint_duration_seconds_count", "")).isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "worker_wal_checkpoint_duration_seconds_count", "")).isGreaterThanOrEqualTo(0);
            assertThat(value(scrape, "worker_rows_read_total", "")).isGreaterThanOrEqualTo(3);
            assertThat(value(scrape, "worker_rows_written_total", "")).isGreaterThanOrEqualTo(3);
            assertThat(scrape).contains("worker_databases_open ").contains("worker_databases ")
                    .contains("worker_hrana_streams ");
            // the port's event loop: the DDL on a request thread, the insert (its database open) queued for its group
            // commit from the loop, the read on the loop (or moved off it), the internal API's PUT and DELETE passed to Tomcat
            assertThat(value(scrape, "worker_sql_front_requests_total", "ran=\"request_thread\"")).isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "worker_sql_front_requests_total", "ran=\"grouped\"")).isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "worker_sql_front_requests_total", "ran=\"inline\"")
                    + value(scrape, "worker_sql_front_requests_total", "ran=\"moved\"")).isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "worker_sql_front_requests_total", "ran=\"forwarded\"")).isZero();
            assertThat(value(scrape, "worker_sql_front_tomcat_requests_total", "")).isGreaterThanOrEqualTo(2);
            assertThat(value(scrape, "worker_sql_front_relayed_connections_total", "")).isGreaterThanOrEqualTo(0);
            assertThat(value(scrape, "worker_sql_front_connections", "")).isGreaterThanOrEqualTo(1);
            assertThat(value(scrape, "worker_sql_front_refused_connections_total", "")).isZero();
        } finally {
            w.close();
        }
    }

    /** The sum of the samples of {@code name} whose labels contain {@code labels}. */
    static double value(String scrape, String name, String labels) {
        double total = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        boolean found = false;
        while (m.find()) {
            if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                total += Double.parseDouble(m.group(2));
                found = true;
            }
        }
        assertThat(found).as("series %s{%s} in\n%s", name, labels, scrape).isTrue();
        return total;
    }
}
