package dev.libsqlplatform.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Point reads or autocommit inserts over Hrana over WebSocket, for the rows beside wrk's HTTP figures (wrk cannot speak
 * WebSocket). Like wrk: closed loop, one request in flight per client, each client its own connection. A client sends
 * {@code hello} and {@code open_stream} once, then one {@code execute} per request on that stream, of
 * {@code SELECT v FROM kv WHERE k = ?} (random k) or of wrk's {@code INSERT INTO w(v) VALUES (?)} (22-byte text), timed
 * from send to the matching {@code response_ok}; anything else counts as an error.
 * One platform thread per client blocks on its answer: at 1–16 clients that costs the load generator about what wrk's
 * event loop costs, and both share the machine's cores with the worker.
 */
final class WsLoad {
    private WsLoad() {
    }

    /** One connection, answers handed to the waiting client thread. */
    private static final class Conn implements WebSocket.Listener {
        final StringBuilder part = new StringBuilder();
        /** The answers awaited by the call in progress, and how many are still to come. */
        final AtomicReference<CompletableFuture<List<String>>> waiting = new AtomicReference<>();
        final List<String> answers = new ArrayList<>();
        int expected;
        WebSocket ws;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            part.append(data);
            if (last) {
                String m = part.toString();
                part.setLength(0);
                synchronized (this) {
                    answers.add(m);
                    if (answers.size() == expected) {
                        CompletableFuture<List<String>> f = waiting.getAndSet(null);
                        if (f != null) f.complete(new ArrayList<>(answers));
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            CompletableFuture<List<String>> f = waiting.getAndSet(null);
            if (f != null) f.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            CompletableFuture<List<String>> f = waiting.getAndSet(null);
            if (f != null) f.completeExceptionally(error);
        }

        /** Sends the messages back to back (as a client that does not wait between them) and waits for one answer each. */
        List<String> call(String... messages) throws Exception {
            CompletableFuture<List<String>> f = new CompletableFuture<>();
            synchronized (this) {
                answers.clear();
                expected = messages.length;
                waiting.set(f);
            }
            // an answer can arrive before the send's future completes, and the JDK refuses a send while the previous
            // one is pending ("Send pending"): the next send would fail. Wait for each.
            for (String m : messages) ws.sendText(m, true).get(10, TimeUnit.SECONDS);
            try {
                return f.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw new java.util.concurrent.TimeoutException("no answer within 10 s to "
                        + messages[0].substring(0, Math.min(80, messages[0].length())));
            }
        }
    }

    private static Conn open(String wsUrl, String token) throws Exception {
        Conn c = new Conn();
        try {
            c.ws = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("hrana3")
                    .buildAsync(URI.create(wsUrl), c).get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new java.util.concurrent.TimeoutException("no WebSocket handshake answer within 10 s");
        }
        String hello = c.call("{\"type\":\"hello\",\"jwt\":\"" + token + "\"}").get(0);
        if (!hello.contains("hello_ok")) throw new IllegalStateException("hello refused: " + hello);
        String open = c.call("{\"type\":\"request\",\"request_id\":0,\"request\":{\"type\":\"open_stream\",\"stream_id\":1}}").get(0);
        if (!open.contains("response_ok")) throw new IllegalStateException("open_stream refused: " + open);
        return c;
    }

    /**
     * What one request sends: an {@code execute} on the stream the connection opened once, or {@code open_stream},
     * {@code execute} and {@code close_stream} back to back, as {@code @libsql/client} sends a lone statement over
     * WebSocket (its {@code execute} opens a stream for it), answered by three messages.
     */
    enum Pattern { ONE_STREAM, STREAM_PER_STATEMENT }

    private static final String READ = "{\"sql\":\"SELECT v FROM kv WHERE k = ?\",\"args\":[{\"type\":\"integer\",\"value\":\"%d\"}]}";
    private static final String INSERT = "{\"sql\":\"INSERT INTO w(v) VALUES (?)\",\"args\":[{\"type\":\"text\",\"value\":\"bench-value-0123456789\"}]}";

    private static String request(int id, String request) {
        return "{\"type\":\"request\",\"request_id\":" + id + ",\"request\":" + request + "}";
    }

    private static String execute(int id, int stream, String stmt) {
        return request(id, "{\"type\":\"execute\",\"stream_id\":" + stream + ",\"stmt\":" + stmt + "}");
    }

    /** The messages of request {@code id} (ids {@code id} to {@code id + 2} for a stream of its own). */
    private static String[] messages(Pattern p, int id, String stmt) {
        return p == Pattern.ONE_STREAM ? new String[] {execute(id, 1, stmt)} : new String[] {
                request(id, "{\"type\":\"open_stream\",\"stream_id\":2}"), execute(id + 1, 2, stmt),
                request(id + 2, "{\"type\":\"close_stream\",\"stream_id\":2}")};
    }

    private static String read(int id, int k) {
        return execute(id, 1, String.format(READ, k));
    }

    /** One read of key 1 over a fresh connection: the target answers the expected value. */
    static void verify(String wsUrl, String token) throws Exception {
        Conn c = open(wsUrl, token);
        try {
            String r = c.call(read(1, 1)).get(0);
            if (!r.contains("response_ok") || !r.contains("value-1")) throw new IllegalStateException("unexpected read: " + r);
        } finally {
            c.ws.abort();
        }
    }

    /** {@code clients} connections reading on their one stream for {@code seconds}; figures in wrk's result shape. */
    static Wrk.Result run(String wsUrl, String token, int clients, int seconds, int rows) throws Exception {
        return reads(wsUrl, token, clients, seconds, rows, Pattern.ONE_STREAM);
    }

    /** {@code clients} connections reading for {@code seconds}, a request sent as {@code pattern} says. */
    static Wrk.Result reads(String wsUrl, String token, int clients, int seconds, int rows, Pattern pattern) throws Exception {
        return run(wsUrl, token, clients, seconds, (id, rnd) -> messages(pattern, id, String.format(READ, 1 + rnd.nextInt(rows))));
    }

    /** {@code clients} connections inserting a row per request (autocommit) for {@code seconds}. */
    static Wrk.Result inserts(String wsUrl, String token, int clients, int seconds, Pattern pattern) throws Exception {
        return run(wsUrl, token, clients, seconds, (id, rnd) -> messages(pattern, id, INSERT));
    }

    private static Wrk.Result run(String wsUrl, String token, int clients, int seconds,
                                  java.util.function.BiFunction<Integer, ThreadLocalRandom, String[]> request) throws Exception {
        List<Conn> conns = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) conns.add(open(wsUrl, token));
            List<Measure.Recorder> recs = new ArrayList<>();
            long[] errors = new long[clients];
            List<Thread> threads = new ArrayList<>();
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            for (int i = 0; i < clients; i++) {
                Conn c = conns.get(i);
                Measure.Recorder rec = new Measure.Recorder();
                recs.add(rec);
                int me = i;
                Thread t = new Thread(() -> {
                    int id = 1;
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (System.nanoTime() < end) {
                        long t0 = System.nanoTime();
                        try {
                            String[] sent = request.apply(id, rnd);
                            id += sent.length;
                            boolean ok = true;
                            for (String r : c.call(sent)) ok &= r.startsWith("{\"type\":\"response_ok\"");
                            if (ok) rec.add(System.nanoTime() - t0);
                            else errors[me]++;
                        } catch (Exception e) {
                            errors[me]++;
                            return;
                        }
                    }
                }, "ws-load-" + i);
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join();
            double elapsed = (System.nanoTime() - start) / 1e9;
            Measure.Recorder all = Measure.Recorder.merge(recs);
            long[] sorted = java.util.Arrays.copyOf(all.nanos, all.n);
            java.util.Arrays.sort(sorted);
            long errs = 0;
            for (long e : errors) errs += e;
            long p50 = (long) (Measure.pct(sorted, 50) / 1000), p90 = (long) (Measure.pct(sorted, 90) / 1000),
                    p99 = (long) (Measure.pct(sorted, 99) / 1000), max = sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1000;
            String raw = String.format(java.util.Locale.ROOT, "WS {\"requests\":%d,\"rps\":%.1f,\"p50_us\":%d,\"p99_us\":%d,\"errors\":%d}",
                    all.n, all.n / elapsed, p50, p99, errs);
            return new Wrk.Result(all.n, elapsed, all.n / elapsed, p50, p90, p99, max, errs, raw);
        } finally {
            for (Conn c : conns) c.ws.abort();
        }
    }
}
