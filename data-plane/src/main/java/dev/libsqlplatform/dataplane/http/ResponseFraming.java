package dev.libsqlplatform.dataplane.http;

import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Where one of Tomcat's HTTP/1.1 answers ends, from its bytes as they arrive (any split): the front passes a request it
 * does not serve itself to Tomcat, relays the answer, and takes the connection back for the next request once the
 * answer is complete. The answer comes from our own Tomcat, so the framing is trusted: Content-Length, chunked (with
 * trailers), or until the connection closes; none for a HEAD request or a 1xx/204/304 status. An interim 1xx answer
 * is relayed and the final one awaited.
 */
final class ResponseFraming {
    private enum Phase { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_DATA_END, TRAILERS, UNTIL_CLOSE, DONE }

    private static final int MAX_LINE = 16 * 1024;

    private final boolean headRequest;
    private Phase phase = Phase.HEAD;
    private final StringBuilder line = new StringBuilder();
    private int status;
    private long length = -1;
    private boolean chunked;
    private boolean close;
    private boolean upgrade;
    private boolean firstLine = true;
    private long remaining;

    /** The framing of the answer to one request; {@code headRequest}: it was a HEAD (no body, whatever the head says). */
    ResponseFraming(boolean headRequest) {
        this.headRequest = headRequest;
    }

    /**
     * Reads {@code in} from its reader index, without moving it: the number of bytes that belong to this answer
     * (all of them, unless the answer ended inside). {@link #done()} says whether it ended.
     *
     * @throws IllegalStateException on bytes that are not an HTTP/1.1 answer
     */
    int feed(ByteBuf in) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int i = start;
        while (i < end && phase != Phase.DONE) {
            switch (phase) {
                case HEAD, CHUNK_SIZE, TRAILERS -> {
                    byte b = in.getByte(i++);
                    if (b != '\n') {
                        if (line.length() >= MAX_LINE) {
                            throw new IllegalStateException("an answer line longer than " + MAX_LINE + " bytes");
                        }
                        line.append((char) (b & 0xff));
                        continue;
                    }
                    int n = line.length();
                    String l = n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
                    line.setLength(0);
                    onLine(l);
                }
                case FIXED, CHUNK_DATA -> {
                    int take = (int) Math.min(remaining, end - i);
                    i += take;
                    remaining -= take;
                    if (remaining == 0) {
                        phase = phase == Phase.FIXED ? Phase.DONE : Phase.CHUNK_DATA_END;
                        remaining = 2;
                    }
                }
                case CHUNK_DATA_END -> {
                    i++;
                    if (--remaining == 0) {
                        phase = Phase.CHUNK_SIZE;
                    }
                }
                case UNTIL_CLOSE -> i = end;
                default -> throw new IllegalStateException(phase.name());
            }
        }
        return i - start;
    }

    private void onLine(String l) {
        switch (phase) {
            case HEAD -> {
                if (firstLine) {
                    if (!l.startsWith("HTTP/1.") || l.length() < 12) {
                        throw new IllegalStateException("not an HTTP/1.x status line: " + l);
                    }
                    status = Integer.parseInt(l.substring(9, 12));
                    firstLine = false;
                    return;
                }
                if (!l.isEmpty()) {
                    header(l);
                    return;
                }
                endOfHead();
            }
            case CHUNK_SIZE -> {
                int semi = l.indexOf(';');
                String hex = (semi < 0 ? l : l.substring(0, semi)).trim();
                long size = Long.parseLong(hex, 16);
                if (size == 0) {
                    phase = Phase.TRAILERS;
                } else {
                    remaining = size;
                    phase = Phase.CHUNK_DATA;
                }
            }
            case TRAILERS -> {
                if (l.isEmpty()) {
                    phase = Phase.DONE;
                }
            }
            default -> throw new IllegalStateException(phase.name());
        }
    }

    private void header(String l) {
        int colon = l.indexOf(':');
        if (colon <= 0) {
            throw new IllegalStateException("not a header line: " + l);
        }
        String name = l.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = l.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        switch (name) {
            case "content-length" -> length = Long.parseLong(value);
            case "transfer-encoding" -> chunked = value.endsWith("chunked");
            case "connection" -> {
                close |= value.contains("close");
                upgrade |= value.contains("upgrade");
            }
            default -> {
                // nothing else frames the answer
            }
        }
    }

    private void endOfHead() {
        if (status >= 100 && status < 200 && status != 101) {
            // an interim answer: the final one follows
            firstLine = true;
            length = -1;
            chunked = false;
            return;
        }
        if (status == 101) {
            upgrade = true;
            phase = Phase.DONE;
        } else if (headRequest || status == 204 || status == 304) {
            phase = Phase.DONE;
        } else if (chunked) {
            phase = Phase.CHUNK_SIZE;
        } else if (length >= 0) {
            remaining = length;
            phase = length == 0 ? Phase.DONE : Phase.FIXED;
        } else {
            phase = Phase.UNTIL_CLOSE;
            close = true;
        }
    }

    boolean done() {
        return phase == Phase.DONE;
    }

    /** Tomcat closes the connection after this answer (or the body runs until it does). */
    boolean closes() {
        return close;
    }

    /** The connection now speaks another protocol (101): it stays a byte pipe to Tomcat. */
    boolean upgraded() {
        return upgrade && status == 101;
    }
}
