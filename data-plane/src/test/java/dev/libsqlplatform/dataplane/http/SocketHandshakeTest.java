package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The handshakes the front takes itself, and the ones it leaves to Tomcat (null): anything but a plain RFC 6455
 * opening of {@code /} goes there whole, where every rule Tomcat has applies.
 */
class SocketHandshakeTest {
    private static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    private static SocketHandshake parse(String head) {
        ByteBuf buf = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        try {
            return SocketHandshake.parse(buf, 0, buf.writerIndex());
        } finally {
            buf.release();
        }
    }

    private static String head(String target, String... headers) {
        return "GET " + target + " HTTP/1.1\r\n" + String.join("\r\n", headers) + "\r\n\r\n";
    }

    private static final String[] PLAIN = {"Host: db-acme.example", "Upgrade: websocket", "Connection: keep-alive, Upgrade",
            "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13", "Sec-WebSocket-Protocol: hrana3, hrana2",
            "sec-websocket-protocol: hrana1"};

    @Test
    void aPlainOpeningIsTaken() {
        SocketHandshake h = parse(head("/", PLAIN));
        assertThat(h).isNotNull();
        assertThat(h.host()).isEqualTo("db-acme.example");
        assertThat(h.protocols()).isEqualTo(List.of("hrana3", "hrana2", "hrana1"));
        assertThat(h.forwardedBy()).isNull();
        assertThat(parse(head("/?x=1", PLAIN))).as("a query").isNotNull();
        assertThat(parse(head("/", "Connection: Upgrade", "Content-Length: 0", "Host: 127.0.0.1:8081", "Upgrade: websocket",
                "User-Agent: Java-http-client/17.0.15", "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Protocol: hrana3",
                "Sec-WebSocket-Version: 13"))).as("the JDK client's handshake, Content-Length: 0 included").isNotNull();
        // RFC 6455's own example: key "dGhlIHNhbXBsZSBub25jZQ==" is accepted with "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        ByteBuf answer = h.answer(io.netty.buffer.ByteBufAllocator.DEFAULT, "hrana3");
        try {
            assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101 ")
                    .contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n")
                    .contains("Sec-WebSocket-Protocol: hrana3\r\n").endsWith("\r\n\r\n");
        } finally {
            answer.release();
        }
        ByteBuf none = h.answer(io.netty.buffer.ByteBufAllocator.DEFAULT, "");
        try {
            assertThat(none.toString(StandardCharsets.US_ASCII)).doesNotContain("Sec-WebSocket-Protocol");
        } finally {
            none.release();
        }
    }

    @Test
    void anythingElseIsTomcats() {
        List<String> heads = List.of(
                head("/v2/pipeline", PLAIN),
                head("//", PLAIN),
                "GET / HTTP/1.0\r\n" + String.join("\r\n", PLAIN) + "\r\n\r\n",
                "POST / HTTP/1.1\r\n" + String.join("\r\n", PLAIN) + "\r\n\r\n",
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 8"),
                head("/", "Host: a", "Upgrade: h2c", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: keep-alive", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: short",
                        "Sec-WebSocket-Version: 13"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13"),
                head("/", "Host: a", "Host: b", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13", "Content-Length: 5"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13", "Content-Length: 0", "Content-Length: 0"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13", "Transfer-Encoding: chunked"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13", " folded"),
                head("/", "Host : a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13"),
                head("/", "Host: a\u0001", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13"),
                head("/", "Host: a", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + KEY,
                        "Sec-WebSocket-Version: 13\nX: y"));
        for (String h : heads) {
            assertThat(parse(h)).as(h).isNull();
        }
    }

    @Test
    void forwardingHeadersAreRead() {
        SocketHandshake h = parse(head("/", "Host: worker-2:8081", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: " + KEY, "Sec-WebSocket-Version: 13",
                dev.libsqlplatform.contract.internalapi.InternalApi.FORWARDED_BY + ": proof",
                dev.libsqlplatform.contract.internalapi.InternalApi.FORWARDED_HOST + ": db-acme.example",
                dev.libsqlplatform.contract.internalapi.InternalApi.FORWARDED_FOR + ": 203.0.113.9"));
        assertThat(h).isNotNull();
        assertThat(h.forwardedBy()).isEqualTo("proof");
        assertThat(h.forwardedHost()).isEqualTo("db-acme.example");
        assertThat(h.forwardedFor()).isEqualTo("203.0.113.9");
    }
}
