package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * A Hrana WebSocket opening handshake the SQL port's front answers itself (RFC 6455 §4.2.1): {@code GET /} (a query
 * allowed) in HTTP/1.1 with {@code Upgrade: websocket}, a {@code Connection} naming {@code upgrade},
 * {@code Sec-WebSocket-Version: 13}, one {@code Sec-WebSocket-Key} of 16 bytes, and no body (at most
 * {@code Content-Length: 0}). As with
 * {@link FrontRequest}, anything else — another path or version, a body, a header given twice that matters here, line
 * folding, a control byte — is not an error here but null: the connection then goes to Tomcat byte for byte, which
 * answers it with every rule it has (its own endpoint at {@code /}, {@link HranaSocketEndpoint}).
 *
 * @param host          the Host header, or null
 * @param protocols     the subprotocols offered, in the client's order
 * @param forwardedBy   {@link InternalApi#FORWARDED_BY}: a worker relaying the connection (trusted only with the secret)
 * @param forwardedHost {@link InternalApi#FORWARDED_HOST}, or null
 * @param forwardedFor  {@link InternalApi#FORWARDED_FOR}, or null
 */
record SocketHandshake(String key, String host, List<String> protocols, String forwardedBy, String forwardedHost,
                       String forwardedFor) {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private static final String FORWARDED_BY = InternalApi.FORWARDED_BY.toLowerCase(Locale.ROOT);
    private static final String FORWARDED_HOST = InternalApi.FORWARDED_HOST.toLowerCase(Locale.ROOT);
    private static final String FORWARDED_FOR = InternalApi.FORWARDED_FOR.toLowerCase(Locale.ROOT);

    /** The head in {@code buf} from {@code from} to {@code end} (blank line included), or null when it is Tomcat's. */
    static SocketHandshake parse(ByteBuf buf, int from, int end) {
        byte[] bytes = new byte[end - from];
        buf.getBytes(from, bytes);
        for (byte b : bytes) {
            if (b < 0 || b == 0x7f || (b < ' ' && b != '\r' && b != '\n' && b != '\t')) {
                return null;
            }
        }
        String head = new String(bytes, StandardCharsets.US_ASCII);
        if (!head.endsWith("\r\n\r\n")) {
            return null;
        }
        String[] lines = head.substring(0, head.length() - 4).split("\r\n", -1);
        String request = lines[0];
        if (!request.startsWith("GET /") || !request.endsWith(" HTTP/1.1")) {
            return null;
        }
        String target = request.substring(4, request.length() - 9);
        if (!(target.equals("/") || target.startsWith("/?")) || target.indexOf(' ') >= 0) {
            return null;
        }
        String key = null;
        String host = null;
        String upgrade = null;
        String version = null;
        String by = null;
        String fHost = null;
        String fFor = null;
        boolean connectionUpgrade = false;
        boolean emptyBody = false;
        List<String> protocols = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0 || line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0 || line.charAt(0) == ' '
                    || line.charAt(0) == '\t' || line.charAt(colon - 1) == ' ') {
                return null; // folding, a bare CR or LF, no name, whitespace before the colon
            }
            String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> {
                    // the JDK's client sends "Content-Length: 0"; any body, or a second length, is Tomcat's to refuse
                    if (!value.equals("0") || emptyBody) {
                        return null;
                    }
                    emptyBody = true;
                }
                case "transfer-encoding", "expect" -> {
                    return null;
                }
                case "host" -> {
                    if (host != null) {
                        return null;
                    }
                    host = value;
                }
                case "upgrade" -> {
                    if (upgrade != null) {
                        return null;
                    }
                    upgrade = value;
                }
                case "connection" -> {
                    for (String token : value.split(",")) {
                        connectionUpgrade |= token.trim().equalsIgnoreCase("upgrade");
                    }
                }
                case "sec-websocket-key" -> {
                    if (key != null) {
                        return null;
                    }
                    key = value;
                }
                case "sec-websocket-version" -> {
                    if (version != null) {
                        return null;
                    }
                    version = value;
                }
                case "sec-websocket-protocol" -> {
                    for (String p : value.split(",")) {
                        if (!p.isBlank()) {
                            protocols.add(p.trim());
                        }
                    }
                }
                default -> {
                    if (name.equals(FORWARDED_BY)) {
                        by = value;
                    } else if (name.equals(FORWARDED_HOST)) {
                        fHost = value;
                    } else if (name.equals(FORWARDED_FOR)) {
                        fFor = value;
                    }
                }
            }
        }
        if (!"websocket".equalsIgnoreCase(upgrade) || !connectionUpgrade || !"13".equals(version) || key == null
                || !validKey(key)) {
            return null;
        }
        return new SocketHandshake(key, host, List.copyOf(protocols), by, fHost, fFor);
    }

    /** A base64 nonce of 16 bytes (RFC 6455 §4.1). */
    private static boolean validKey(String key) {
        try {
            return key.length() == 24 && Base64.getDecoder().decode(key).length == 16;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The {@code 101} that opens the socket, with {@code subprotocol} ("" for none: no header, Hrana 1). */
    ByteBuf answer(ByteBufAllocator alloc, String subprotocol) {
        String accept;
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            accept = Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JDK", e);
        }
        String head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept + "\r\n"
                + (subprotocol.isEmpty() ? "" : "Sec-WebSocket-Protocol: " + subprotocol + "\r\n") + "\r\n";
        ByteBuf out = alloc.buffer(head.length());
        out.writeCharSequence(head, StandardCharsets.US_ASCII);
        return out;
    }
}
