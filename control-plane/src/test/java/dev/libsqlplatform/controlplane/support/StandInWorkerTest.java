package dev.libsqlplatform.controlplane.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The stand-in answers like a worker only to bodies that are the contract's PUT body. */
class StandInWorkerTest {

    @Test
    void refusesAPutBodyThatDriftedFromTheContractAndAcceptsTheSample() throws Exception {
        String sample = Files.readString(Path.of("..", "docs", "contracts", "worker-put-database.json"));
        try (StandInWorker worker = new StandInWorker(0)) {
            assertThat(put(worker, sample)).isEqualTo(200);
            assertThat(worker.calls.get(0).put().allowedIps()).containsExactly("10.0.0.0/8", "2001:db8::1");
            assertThat(put(worker, sample.replace("\"blockReason\"", "\"blockMessage\""))).isEqualTo(400);
            assertThat(put(worker, "{\"organization\":\"acme\"}")).isEqualTo(400);
            assertThat(put(worker, "not json")).isEqualTo(400);
            assertThat(worker.refused).hasSize(3);
            assertThat(worker.calls).hasSize(1);
        }
    }

    private static int put(StandInWorker worker, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(worker.url() + "/internal/v1/databases/d1"))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
