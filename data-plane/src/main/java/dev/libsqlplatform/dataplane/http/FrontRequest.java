package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The head of a request on the SQL port's front ({@link FrontConnection}). The parser is deliberately narrow: a request
 * is framed here only when it is HTTP/1.1 with at most one Content-Length and nothing else that frames a body; anything it
 * does not fully understand — {@code Transfer-Encoding}, {@code Expect}, an upgrade other than the JDK client's h2c
 * offer, a header it uses given twice, obsolete line folding, a bare CR or LF, a control byte, another HTTP version — is
 * not an error here but null: the connection then goes to Tomcat for good, byte for byte ({@link TomcatRelay}), and
 * Tomcat answers with every rule it has. So where this parser and Tomcat could disagree about where a request ends,
 * this parser does not decide.
 *
 * @param pipeline      {@code POST /v2/pipeline} or {@code /v3/pipeline} with a body, not forwarded by another worker:
 *                      the front may serve it; any other framed request is passed to Tomcat one at a time
 * @param headRequest   a HEAD request (its answer has no body)
 * @param headLength    bytes up to and including the blank line
 * @param contentLength the declared body length (0 when none is declared)
 * @param close         the client asked to close the connection after the answer
 * @param path          {@code /v2/pipeline} or {@code /v3/pipeline} for a pipeline, else null
 * @param contentType   the Content-Type header, or null
 */
record FrontRequest(boolean pipeline, boolean headRequest, int headLength, long contentLength, String authorization,
                    String host, boolean close, String path, String contentType) {

    /** Tomcat's default {@code maxHttpRequestHeaderSize}: a longer head goes to Tomcat, which refuses it. */
    static final int MAX_HEAD = 8 * 1024;

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] HTTP11 = "HTTP/1.1".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] POST = "POST".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEAD = "HEAD".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V2_PATH = "/v2/pipeline".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] V3_PATH = "/v3/pipeline".getBytes(StandardCharsets.US_ASCII);
    private static final String FORWARDED_BY = InternalApi.FORWARDED_BY.toLowerCase(Locale.ROOT);

    /**
     * The index just past the blank line ending the head that starts at {@code from}, -1 when it has not all arrived,
     * or -2 when more than {@link #MAX_HEAD} bytes came without one.
     */
    static int headEnd(ByteBuf buf, int from) {
        int limit = Math.min(buf.writerIndex(), from + MAX_HEAD);
        // LF by LF: Netty's indexOf compares eight bytes at a time, a byte-by-byte getByte loop was a tenth of the
        // front's CPU per request (bounds and reference-count checks on every byte)
        int i = from;
        while (i < limit) {
            int lf = buf.indexOf(i, limit, LF);
            if (lf < 0) {
                break;
            }
            if (lf - 3 >= from && buf.getByte(lf - 1) == CR && buf.getByte(lf - 2) == LF && buf.getByte(lf - 3) == CR) {
                return lf + 1;
            }
            i = lf + 1;
        }
        return buf.writerIndex() - from >= MAX_HEAD ? -2 : -1;
    }

    /** The head in {@code buf} from {@code from} to {@code end} ({@link #headEnd}), or null when it is Tomcat's alone. */
    static FrontRequest parse(ByteBuf in, int from, int end) {
        // one copy of the head (at most MAX_HEAD bytes), then plain array reads: each ByteBuf.getByte checks bounds and
        // the reference count, and the head's bytes are each looked at several times
        byte[] bytes = new byte[end - from];
        in.getBytes(from, bytes);
        return parse(bytes);
    }

    /** {@link #parse(ByteBuf, int, int)} of a whole head, blank line included. */
    private static FrontRequest parse(byte[] buf) {
        int from = 0;
        int end = buf.length;
        int last = end - 2; // the blank line's CRLF
        int lineEnd = lineEnd(buf, from, last);
        if (lineEnd < 0) {
            return null;
        }
        int sp1 = -1;
        for (int j = from; j < lineEnd; j++) {
            byte b = buf[j];
            if (b == ' ') {
                sp1 = j;
                break;
            }
            if (!isTokenChar(b)) {
                return null;
            }
        }
        if (sp1 <= from || lineEnd - sp1 <= 1 + 1 + HTTP11.length) {
            return null;
        }
        int sp2 = lineEnd - HTTP11.length - 1;
        if (buf[sp2] != ' ' || !startsWith(buf, sp2 + 1, lineEnd, HTTP11)) {
            return null;
        }
        for (int j = sp1 + 1; j < sp2; j++) {
            byte b = buf[j];
            if (b <= ' ' || b == 0x7f) {
                return null; // negative bytes (non-ASCII) included
            }
        }
        boolean post = sp1 - from == 4 && startsWith(buf, from, sp1, POST);
        boolean head = sp1 - from == 4 && startsWith(buf, from, sp1, HEAD);
        String path = !post ? null : equalsAt(buf, sp1 + 1, sp2, V2_PATH) ? "/v2/pipeline"
                : equalsAt(buf, sp1 + 1, sp2, V3_PATH) ? "/v3/pipeline" : null;
        boolean pipelinePath = path != null;
        String contentType = null;
        String authorization = null;
        String xAuthorization = null;
        String host = null;
        long contentLength = -1;
        boolean close = false;
        boolean forwarded = false;
        int i = lineEnd + 2;
        while (i < last) {
            int eol = lineEnd(buf, i, last);
            if (eol < 0) {
                return null;
            }
            int colon = -1;
            for (int j = i; j < eol; j++) {
                byte b = buf[j];
                if (b == ':') {
                    colon = j;
                    break;
                }
                if (!isTokenChar(b)) {
                    return null; // also a line starting with a space or a tab: obsolete folding
                }
            }
            if (colon <= i) {
                return null;
            }
            int name = headerName(buf, i, colon);
            int vs = colon + 1;
            int ve = eol;
            while (vs < ve && isBlank(buf[vs])) {
                vs++;
            }
            while (ve > vs && isBlank(buf[ve - 1])) {
                ve--;
            }
            for (int j = vs; j < ve; j++) {
                byte b = buf[j];
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    return null;
                }
            }
            switch (name) {
                case AUTHORIZATION -> {
                    if (authorization != null) {
                        return null;
                    }
                    authorization = latin1(buf, vs, ve);
                }
                case X_AUTHORIZATION -> {
                    if (xAuthorization != null) {
                        return null;
                    }
                    xAuthorization = latin1(buf, vs, ve);
                }
                case HOST_HEADER -> {
                    if (host != null) {
                        return null;
                    }
                    host = latin1(buf, vs, ve);
                }
                case CONTENT_LENGTH -> {
                    if (contentLength >= 0) {
                        return null;
                    }
                    contentLength = digits(buf, vs, ve);
                    if (contentLength < 0) {
                        return null;
                    }
                }
                case CONNECTION -> {
                    String v = latin1(buf, vs, ve).toLowerCase(Locale.ROOT);
                    for (String token : v.split(",")) {
                        String t = token.trim();
                        if (t.equals("close")) {
                            close = true;
                        } else if (!t.equals("keep-alive") && !t.equals("upgrade") && !t.equals("http2-settings")
                                && !t.isEmpty()) {
                            return null; // a hop-by-hop header list: Tomcat's
                        }
                    }
                }
                case UPGRADE -> {
                    // the JDK's HttpClient offers h2c on every plain request; like Tomcat (no h2c connector), the
                    // front answers in HTTP/1.1 and ignores the offer. Any other upgrade (WebSocket) is Tomcat's.
                    if (!latin1(buf, vs, ve).equalsIgnoreCase("h2c")) {
                        return null;
                    }
                }
                case FRAMING -> {
                    return null;
                }
                case CONTENT_TYPE -> {
                    if (contentType != null) {
                        return null;
                    }
                    contentType = latin1(buf, vs, ve);
                }
                case NOT_SERVED -> forwarded = true; // another worker's relay (Tomcat checks the secret), a coded body
                default -> {
                    // a header the front does not look at
                }
            }
            i = eol + 2;
        }
        boolean servable = pipelinePath && contentLength > 0 && !forwarded;
        return new FrontRequest(servable, head, end - from, Math.max(0, contentLength),
                authorization != null ? authorization : xAuthorization, host, close, path, contentType);
    }

    private static final int OTHER = 0;
    private static final int AUTHORIZATION = 1;
    private static final int X_AUTHORIZATION = 2;
    private static final int HOST_HEADER = 3;
    private static final int CONTENT_LENGTH = 4;
    private static final int CONNECTION = 5;
    private static final int UPGRADE = 6;
    /** Headers that frame a body or the exchange otherwise: the request is Tomcat's whole. */
    private static final int FRAMING = 7;
    /** Headers that leave the request framed but not for the front to serve. */
    private static final int NOT_SERVED = 8;
    private static final int CONTENT_TYPE = 9;
    private static final byte[][] NAMES;
    private static final int[] IDS;

    static {
        String[] names = {"authorization", "x-authorization", "host", "content-length", "connection", "upgrade",
                "transfer-encoding", "expect", "te", "trailer", FORWARDED_BY, "content-encoding", "content-type"};
        int[] ids = {AUTHORIZATION, X_AUTHORIZATION, HOST_HEADER, CONTENT_LENGTH, CONNECTION, UPGRADE, FRAMING,
                FRAMING, FRAMING, FRAMING, NOT_SERVED, NOT_SERVED, CONTENT_TYPE};
        NAMES = new byte[names.length][];
        for (int k = 0; k < names.length; k++) {
            NAMES[k] = names[k].getBytes(StandardCharsets.US_ASCII);
        }
        IDS = ids;
    }

    /** Which header the name at [from, to) is, compared without allocating (ASCII, case-insensitive). */
    private static int headerName(byte[] buf, int from, int to) {
        int length = to - from;
        for (int k = 0; k < NAMES.length; k++) {
            byte[] n = NAMES[k];
            if (n.length != length) {
                continue;
            }
            int j = 0;
            while (j < length) {
                byte b = buf[from + j];
                if (b >= 'A' && b <= 'Z') {
                    b += 'a' - 'A';
                }
                if (b != n[j]) {
                    break;
                }
                j++;
            }
            if (j == length) {
                return IDS[k];
            }
        }
        return OTHER;
    }

    private static boolean equalsAt(byte[] buf, int from, int to, byte[] text) {
        return to - from == text.length && startsWith(buf, from, to, text);
    }

    /** Where the line starting at {@code from} ends (its CR), or -1 on a bare CR or LF. */
    private static int lineEnd(byte[] buf, int from, int last) {
        for (int j = from; j < last; j++) {
            byte b = buf[j];
            if (b == CR) {
                return buf[j + 1] == LF ? j : -1;
            }
            if (b == LF) {
                return -1;
            }
        }
        return last;
    }

    private static boolean startsWith(byte[] buf, int from, int end, byte[] prefix) {
        if (end - from < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (buf[from + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    /** A Content-Length value: 1 to 18 digits, nothing else; -1 otherwise. */
    private static long digits(byte[] buf, int from, int to) {
        if (to <= from || to - from > 18) {
            return -1;
        }
        long v = 0;
        for (int j = from; j < to; j++) {
            byte b = buf[j];
            if (b < '0' || b > '9') {
                return -1;
            }
            v = v * 10 + (b - '0');
        }
        return v;
    }

    private static String latin1(byte[] buf, int from, int to) {
        return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(byte b) {
        if (b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9') {
            return true;
        }
        return switch (b) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}
