package dev.libsqlplatform.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Small JDK HttpClient wrapper (HTTP/1.1, keep-alive) for setup calls and sequential latency probes. */
final class Http {
    record Response(int status, String body, long nanos) {}

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    Response post(String url, String token, String json) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b.build());
    }

    Response get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET();
        if (token != null) b.header("Authorization", "Bearer " + token);
        return send(b.build());
    }

    private Response send(HttpRequest r) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        HttpResponse<String> resp = client.send(r, HttpResponse.BodyHandlers.ofString());
        return new Response(resp.statusCode(), resp.body(), System.nanoTime() - t0);
    }

    static String pipeline(String sql, boolean close) {
        return "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":" + quote(sql) + "}}"
                + (close ? ",{\"type\":\"close\"}" : "") + "]}";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Loads kv(k INTEGER PRIMARY KEY, v TEXT) with k = 1..rows through a Hrana endpoint, 1,000 rows a request. */
    void loadKv(String pipelineUrl, String token, int rows, boolean close) throws IOException, InterruptedException {
        check(post(pipelineUrl, token, pipeline("CREATE TABLE IF NOT EXISTS kv(k INTEGER PRIMARY KEY, v TEXT)", close)), "create kv");
        check(post(pipelineUrl, token, pipeline("CREATE TABLE IF NOT EXISTS w(k INTEGER PRIMARY KEY, v TEXT)", close)), "create w");
        for (int start = 1; start <= rows; start += 1000) {
            StringBuilder sql = new StringBuilder("INSERT INTO kv(k, v) VALUES ");
            int end = Math.min(rows, start + 999);
            for (int k = start; k <= end; k++) {
                if (k > start) sql.append(',');
                sql.append('(').append(k).append(",'value-").append(k).append("')");
            }
            check(post(pipelineUrl, token, pipeline(sql.toString(), close)), "load kv");
        }
    }

    /** Throws unless the answer is 200 and holds no Hrana error. */
    static Response check(Response r, String what) throws IOException {
        if (r.status() != 200 || r.body().contains("\"type\":\"error\"")) {
            throw new IOException(what + ": HTTP " + r.status() + " " + abbreviate(r.body()));
        }
        return r;
    }

    static String abbreviate(String s) {
        return s == null ? "" : s.length() > 400 ? s.substring(0, 400) + "..." : s;
    }
}
