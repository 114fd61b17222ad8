package dev.libsqlplatform.dataplane.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The front's two parsers: request heads it frames itself ({@link FrontRequest}: what it does not fully understand is
 * null, Tomcat's) and where Tomcat's answers end ({@link ResponseFraming}, whatever the split of the bytes).
 */
class FrontFramingTest {

    private static FrontRequest parse(String head) {
        ByteBuf b = Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1);
        int end = FrontRequest.headEnd(b, 0);
        assertThat(end).as("a complete head").isPositive();
        return FrontRequest.parse(b, 0, end);
    }

    @Test
    void aPipelineIsFramedWithWhatTheFrontNeeds() {
        FrontRequest r = parse("POST /v3/pipeline HTTP/1.1\r\nHost: db-org.example\r\nAuthorization: Bearer t\r\n"
                + "Connection: keep-alive\r\nContent-Length: 42\r\n\r\n");
        assertThat(r.pipeline()).isTrue();
        assertThat(r.contentLength()).isEqualTo(42);
        assertThat(r.authorization()).isEqualTo("Bearer t");
        assertThat(r.host()).isEqualTo("db-org.example");
        assertThat(r.close()).isFalse();
        // the JDK client's h2c offer is ignored, as Tomcat ignores it; x-authorization stands in for Authorization
        FrontRequest jdk = parse("POST /v2/pipeline HTTP/1.1\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                + "HTTP2-Settings: AAEAAEAA\r\nx-authorization: Bearer x\r\nContent-Length: 1\r\nConnection: close\r\n\r\n");
        assertThat(jdk.pipeline()).isTrue();
        assertThat(jdk.authorization()).isEqualTo("Bearer x");
        assertThat(jdk.close()).isTrue();
    }

    @Test
    void otherFramedRequestsGoToTomcatOneAtATime() {
        FrontRequest probe = parse("GET /v3 HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(probe.pipeline()).isFalse();
        assertThat(probe.contentLength()).isZero();
        assertThat(parse("HEAD /v2 HTTP/1.1\r\n\r\n").headRequest()).isTrue();
        assertThat(parse("POST /v3/cursor HTTP/1.1\r\nContent-Length: 5\r\n\r\n").pipeline()).isFalse();
        assertThat(parse("POST /v2/pipeline HTTP/1.1\r\n\r\n").pipeline()).as("no body").isFalse();
        assertThat(parse("POST /v2/pipeline?x=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\n").pipeline()).isFalse();
        assertThat(parse("POST /v2/pipeline HTTP/1.1\r\nX-Libsql-Platform-Forwarded: w\r\nContent-Length: 5\r\n\r\n")
                .pipeline()).as("another worker's relay").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "POST /v2/pipeline HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nContent-Length: 5 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
            "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nConnection: close, X-Foo\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nAuthorization: a\r\nAuthorization: b\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nHost: a\r\nHost: b\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nX-A: 1\r\n folded\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nContent-Length : 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nX-A: \u0001\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nX-A: caf\u00e9\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.1\r\nX-A: 1\rX\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline HTTP/1.0\r\nContent-Length: 5\r\n\r\n",
            "POST  /v2/pipeline HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pipeline  HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
            "POST /v2/pi\u00e9peline HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
            "PO(ST /v2/pipeline HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
            "POST  HTTP/1.1\r\n\r\n",
    })
    void whatTheFrontDoesNotFullyUnderstandIsTomcatsWhole(String head) {
        assertThat(parse(head)).isNull();
    }

    @Test
    void aHeadIsWaitedForUpToEightKilobytes() {
        ByteBuf partial = Unpooled.copiedBuffer("POST /v2/pipeline HTTP/1.1\r\nHost: x\r\n", StandardCharsets.US_ASCII);
        assertThat(FrontRequest.headEnd(partial, 0)).isEqualTo(-1);
        ByteBuf huge = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nX: " + "a".repeat(9000), StandardCharsets.US_ASCII);
        assertThat(FrontRequest.headEnd(huge, 0)).isEqualTo(-2);
    }

    @Test
    void aHeadEndsAtItsFirstBlankLineWhereverItsBytesLieAndFromWhereverItStarts() {
        String first = "POST /v2/pipeline HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n";
        String second = "POST /v3/pipeline HTTP/1.1\r\nX-A: \n\r\nContent-Length: 3\r\n\r\n";
        byte[] all = (first + "{}" + second).getBytes(StandardCharsets.US_ASCII);
        for (int step = 1; step <= all.length; step++) {
            // split into components: Netty's indexOf must find the blank line across them, as in a client's several packets
            io.netty.buffer.CompositeByteBuf pieces = Unpooled.compositeBuffer(Integer.MAX_VALUE);
            for (int i = 0; i < all.length; i += step) {
                pieces.addComponent(true, Unpooled.wrappedBuffer(all, i, Math.min(step, all.length - i)));
            }
            assertThat(FrontRequest.headEnd(pieces, 0)).as("step %d", step).isEqualTo(first.length());
            FrontRequest r = FrontRequest.parse(pieces, 0, first.length());
            assertThat(r.contentLength()).isEqualTo(2);
            assertThat(r.headLength()).isEqualTo(first.length());
            int from = first.length() + 2;
            // a bare LF followed by CRLF is not a blank line: the head goes on until the real one, and is Tomcat's
            int end = FrontRequest.headEnd(pieces, from);
            assertThat(end).as("step %d", step).isEqualTo(all.length);
            assertThat(FrontRequest.parse(pieces, from, end)).isNull();
        }
        ByteBuf shortOnes = Unpooled.copiedBuffer("\n\r\n", StandardCharsets.US_ASCII);
        assertThat(FrontRequest.headEnd(shortOnes, 0)).isEqualTo(-1);
    }

    /** Feeds {@code answer} in pieces of {@code step} bytes; the number of bytes that belonged to it. */
    private static int feed(ResponseFraming f, String answer, int step) {
        byte[] bytes = answer.getBytes(StandardCharsets.ISO_8859_1);
        int taken = 0;
        for (int i = 0; i < bytes.length && !f.done(); i += step) {
            ByteBuf piece = Unpooled.wrappedBuffer(bytes, i, Math.min(step, bytes.length - i));
            taken += f.feed(piece);
        }
        return taken;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void tomcatsAnswersEndWhereTheirFramingSays(int step) {
        String fixed = "HTTP/1.1 200 \r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
        ResponseFraming a = new ResponseFraming(false);
        assertThat(feed(a, fixed + "EXTRA", step)).isEqualTo(fixed.length());
        assertThat(a.done()).isTrue();
        assertThat(a.closes()).isFalse();

        String chunked = "HTTP/1.1 200 \r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n"
                + "10\r\n0123456789abcdef\r\n0\r\nX-Trailer: t\r\n\r\n";
        ResponseFraming c = new ResponseFraming(false);
        assertThat(feed(c, chunked, step)).isEqualTo(chunked.length());
        assertThat(c.done()).isTrue();

        String interim = "HTTP/1.1 100 \r\n\r\nHTTP/1.1 401 \r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}";
        ResponseFraming i = new ResponseFraming(false);
        assertThat(feed(i, interim, step)).isEqualTo(interim.length());
        assertThat(i.done()).isTrue();
        assertThat(i.closes()).isTrue();

        ResponseFraming head = new ResponseFraming(true);
        String headAnswer = "HTTP/1.1 200 \r\nContent-Length: 44\r\n\r\n";
        assertThat(feed(head, headAnswer, step)).isEqualTo(headAnswer.length());
        assertThat(head.done()).isTrue();

        ResponseFraming untilClose = new ResponseFraming(false);
        feed(untilClose, "HTTP/1.1 200 \r\n\r\nstreamed", step);
        assertThat(untilClose.done()).isFalse();
        assertThat(untilClose.closes()).isTrue();

        ResponseFraming upgrade = new ResponseFraming(false);
        feed(upgrade, "HTTP/1.1 101 \r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n", step);
        assertThat(upgrade.done()).isTrue();
        assertThat(upgrade.upgraded()).isTrue();
    }

    @Test
    void bytesThatAreNotAnAnswerAreRefused() {
        assertThatThrownBy(() -> new ResponseFraming(false).feed(Unpooled.copiedBuffer("garbage\r\n",
                StandardCharsets.US_ASCII))).isInstanceOf(IllegalStateException.class);
    }
}
