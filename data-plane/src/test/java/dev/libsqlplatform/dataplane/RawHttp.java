package dev.libsqlplatform.dataplane;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** HTTP/1.1 over a raw socket, for requests no HTTP client would send and answers read byte for byte. */
final class RawHttp {
    private RawHttp() {
    }

    static void write(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    static String chunk(String data) {
        return Integer.toHexString(data.length()) + "\r\n" + data + "\r\n";
    }

    /** A POST with a Content-Length body and the given extra header lines (each ending in CRLF). */
    static String post(String path, String token, String body, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Type: application/json\r\n" + extraHeaders
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    /** One answer, what followed it, and whether the worker closed the connection after it (in the time given). */
    record Answer(String statusLine, Map<String, String> headers, String body, byte[] rest, boolean closed) {
        int status() {
            return statusLine == null ? -1 : Integer.parseInt(statusLine.split(" ")[1]);
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** One answer and nothing more: the connection stays usable for the next. */
    static Answer readOne(Socket s) throws IOException {
        return read(s, -1);
    }

    /**
     * One HTTP/1.1 response (Content-Length or chunked), then, when {@code closeWithinMs} is not negative, whatever else
     * arrives until the worker closes the connection, waiting at most that long for it.
     */
    static Answer read(Socket s, int closeWithinMs) throws IOException {
        return read(s, closeWithinMs, false);
    }

    /** The answer to a HEAD request: its head only, whatever length it declares. */
    static Answer readHeadOnly(Socket s) throws IOException {
        return read(s, -1, true);
    }

    /** One answer from a stream the caller buffers (many answers in a row). */
    static Answer readOne(InputStream in) throws IOException {
        return read(null, in, -1, false);
    }

    private static Answer read(Socket s, int closeWithinMs, boolean headOnly) throws IOException {
        return read(s, s.getInputStream(), closeWithinMs, headOnly);
    }

    private static Answer read(Socket s, InputStream in, int closeWithinMs, boolean headOnly) throws IOException {
        String statusLine = readLine(in);
        if (statusLine == null) {
            return new Answer(null, Map.of(), "<connection closed without an answer>", new byte[0], true);
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (headOnly) {
            // no body
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size; (size = Integer.parseInt(readLine(in).trim(), 16)) > 0; ) {
                body.write(in.readNBytes(size));
                readLine(in);
            }
            readLine(in);
        }
        if (closeWithinMs < 0) {
            return new Answer(statusLine, headers, body.toString(StandardCharsets.UTF_8), new byte[0], false);
        }
        s.setSoTimeout(closeWithinMs);
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        boolean closed = true;
        try {
            in.transferTo(rest);
        } catch (java.net.SocketTimeoutException e) {
            closed = false; // still open: the worker is waiting for (draining) the rest of the body
        } catch (IOException e) {
            // reset after the answer: closed
        }
        return new Answer(statusLine, headers, body.toString(StandardCharsets.UTF_8), rest.toByteArray(), closed);
    }

    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        try {
            while ((c = in.read()) >= 0 && c != '\n') {
                line.append((char) c);
            }
        } catch (java.net.SocketException e) {
            c = -1; // reset by the worker
        }
        if (c < 0 && line.length() == 0) {
            return null;
        }
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }
}
