package dev.libsqlplatform.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One statement over Hrana over WebSocket (hello, open_stream, execute, close_stream, pipelined as clients do),
 * answered in the shape of the HTTP pipeline answer so the token matrix judges both transports with one rule:
 * {@code hello_error} or a request refused with {@code UNAUTHORIZED} becomes 401 with the error object as body, any
 * other answer 200 with {@code results[0]} of type {@code ok} or {@code error}.
 */
final class HranaSocket {
    private HranaSocket() {
    }

    static Http.Answer execute(String workerUrl, String token, String host, String sql) throws Exception {
        String url = workerUrl.replaceFirst("^http", "ws") + "/";
        BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder part = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                part.append(data);
                if (last) {
                    messages.add(part.toString());
                    part.setLength(0);
                }
                ws.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
                messages.add("{\"type\":\"closed\",\"code\":" + code + "}");
                return null;
            }
        };
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols("hrana2");
        if (host != null) {
            b.header("Host", host); // needs -Djdk.httpclient.allowRestrictedHeaders=host, as Http does
        }
        WebSocket ws = b.buildAsync(URI.create(url), listener).get(10, TimeUnit.SECONDS);
        try {
            ObjectNode hello = Http.object().put("type", "hello");
            if (token == null) {
                hello.putNull("jwt");
            } else {
                hello.put("jwt", token);
            }
            send(ws, hello.toString());
            ObjectNode open = Http.object().put("type", "request").put("request_id", 1);
            open.putObject("request").put("type", "open_stream").put("stream_id", 1);
            send(ws, open.toString());
            ObjectNode exec = Http.object().put("type", "request").put("request_id", 2);
            ObjectNode req = exec.putObject("request").put("type", "execute").put("stream_id", 1);
            req.putObject("stmt").put("sql", sql);
            send(ws, exec.toString());
            while (true) {
                String text = messages.poll(30, TimeUnit.SECONDS);
                if (text == null) {
                    throw new IllegalStateException("no answer over WebSocket within 30 s for " + sql);
                }
                JsonNode m = Http.JSON.readTree(text);
                String type = m.path("type").asString();
                switch (type) {
                    case "hello_error" -> {
                        return unauthorizedOr(url, m.path("error"));
                    }
                    case "response_error" -> {
                        // open_stream's or execute's: either ends this one-statement exchange
                        return unauthorizedOr(url, m.path("error"));
                    }
                    case "response_ok" -> {
                        if (m.path("request_id").asInt() == 2) {
                            ObjectNode body = Http.object();
                            ObjectNode r = body.putArray("results").addObject().put("type", "ok");
                            r.set("response", m.path("response"));
                            return new Http.Answer("WS", url, 200, "application/json", body.toString(), body);
                        }
                    }
                    case "closed" -> throw new IllegalStateException("the worker closed the WebSocket: " + text);
                    default -> {
                    }
                }
            }
        } finally {
            ws.abort();
        }
    }

    /** The worker closes the socket right after a hello_error: requests sent behind the hello may find it closed. */
    private static void send(WebSocket ws, String text) {
        ws.sendText(text, true).exceptionally(e -> null).join();
    }

    private static Http.Answer unauthorizedOr(String url, JsonNode error) {
        if ("UNAUTHORIZED".equals(error.path("code").asString())) {
            return new Http.Answer("WS", url, 401, "application/json", error.toString(), error);
        }
        ObjectNode body = Http.object();
        ObjectNode r = body.putArray("results").addObject().put("type", "error");
        r.set("error", error);
        return new Http.Answer("WS", url, 200, "application/json", body.toString(), body);
    }
}
