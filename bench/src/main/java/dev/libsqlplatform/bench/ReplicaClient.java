package dev.libsqlplatform.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * An embedded replica as the {@code libsql} client syncs it (gRPC-web: Hello, BatchLogEntries from its offset, the
 * streamed Snapshot after NEED_SNAPSHOT), applying whole transactions to a local file. The bench's stand-in for the
 * npm client: same requests and bytes on the wire, measurable from Java.
 */
final class ReplicaClient {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String url;
    private final String token;
    private final RandomAccessFile file;
    private final Map<Integer, byte[]> pending = new HashMap<>();
    private long next;
    private long committed = -1;
    long bytes;

    ReplicaClient(String workerUrl, String token, Path file) throws IOException {
        this.url = workerUrl;
        this.token = token;
        this.file = new RandomAccessFile(file.toFile(), "rw");
    }

    long committed() {
        return committed;
    }

    /** One sync: Hello, then batches until the announced index is reached. */
    long sync() throws IOException, InterruptedException {
        long index = -1;
        byte[] hello = unary("wal_log.ReplicationLog/Hello", new byte[] {0x08, 0x01});
        for (int i = 0; i < hello.length; ) {
            int tag = hello[i++] & 0xff;
            if ((tag & 7) == 0) {
                long[] v = varint(hello, i);
                i = (int) v[1];
                if (tag >>> 3 == 5) index = v[0];
            } else {
                long[] len = varint(hello, i);
                i = (int) (len[1] + len[0]);
            }
        }
        while (committed < index) {
            InputStream in = post("wal_log.ReplicationLog/BatchLogEntries", offset(next));
            boolean needSnapshot = false;
            int frames = 0;
            for (byte[] m; (m = message(in)) != null; ) {
                if (m.length > 0 && m[0] == (byte) 0x80) {
                    String trailer = new String(m, 1, m.length - 1, StandardCharsets.US_ASCII);
                    if (trailer.contains("NEED_SNAPSHOT")) needSnapshot = true;
                    else if (!trailer.contains("grpc-status:0")) throw new IOException("BatchLogEntries: " + trailer.trim());
                    continue;
                }
                // Frames{1 repeated Frame{1 bytes data}}: each frame is 0x0a len 0x0a len <4120 bytes>
                for (int i = 1; i < m.length; ) {
                    long[] outer = varint(m, i + 1); // after the Frames.frames tag: the Frame's length
                    int frameStart = (int) outer[1];
                    long[] inner = varint(m, frameStart + 1); // after the Frame.data tag: 4120
                    apply(m, (int) inner[1]);
                    frames++;
                    i = frameStart + (int) outer[0];
                }
            }
            if (needSnapshot) {
                InputStream snap = post("wal_log.ReplicationLog/Snapshot", offset(next));
                long base = -1;
                for (byte[] m; (m = message(snap)) != null; ) {
                    if (m[0] == (byte) 0x80) {
                        String trailer = new String(m, 1, m.length - 1, StandardCharsets.US_ASCII);
                        if (!trailer.contains("grpc-status:0")) throw new IOException("Snapshot: " + trailer.trim());
                        continue;
                    }
                    long[] len = varint(m, 2);
                    base = apply(m, (int) len[1]);
                }
                next = base + 1;
            } else if (frames == 0) {
                throw new IOException("empty batch at " + next + " below the announced index " + index);
            }
        }
        return committed;
    }

    /** Applies the 4120-byte frame at {@code at} of {@code m} (the leading 0x00 of a data message is at index 0). */
    private long apply(byte[] m, int at) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(m, at, 24).order(ByteOrder.LITTLE_ENDIAN);
        long no = b.getLong();
        b.getLong();
        int pageNo = b.getInt();
        int size = b.getInt();
        byte[] page = new byte[4096];
        System.arraycopy(m, at + 24, page, 0, 4096);
        pending.put(pageNo, page);
        if (size != 0) {
            for (Map.Entry<Integer, byte[]> e : pending.entrySet()) {
                file.seek((long) (e.getKey() - 1) * 4096);
                file.write(e.getValue());
            }
            file.setLength((long) size * 4096);
            pending.clear();
            committed = no;
        }
        next = Math.max(next, no + 1);
        return no;
    }

    void close() throws IOException {
        file.close();
    }

    private byte[] unary(String method, byte[] msg) throws IOException, InterruptedException {
        InputStream in = post(method, msg);
        byte[] data = null;
        for (byte[] m; (m = message(in)) != null; ) {
            if (m[0] == 0) data = java.util.Arrays.copyOfRange(m, 1, m.length);
            else if (!new String(m, StandardCharsets.US_ASCII).contains("grpc-status:0")) {
                throw new IOException(method + ": " + new String(m, 1, m.length - 1, StandardCharsets.US_ASCII).trim());
            }
        }
        if (data == null) throw new IOException(method + ": no message");
        return data;
    }

    /** The next gRPC-web frame (flag byte + payload), or null at the end. */
    private byte[] message(InputStream in) throws IOException {
        int flag = in.read();
        if (flag < 0) return null;
        byte[] len = in.readNBytes(4);
        int n = ByteBuffer.wrap(len).getInt();
        byte[] out = new byte[n + 1];
        out[0] = (byte) flag;
        if (in.readNBytes(out, 1, n) != n) throw new IOException("truncated gRPC-web frame");
        bytes += n + 5;
        return out;
    }

    private InputStream post(String method, byte[] msg) throws IOException, InterruptedException {
        byte[] body = ByteBuffer.allocate(5 + msg.length).put((byte) 0).putInt(msg.length).put(msg).array();
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url + "/" + method))
                .timeout(Duration.ofMinutes(5)).header("content-type", "application/grpc-web")
                .header("x-authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new IOException(method + ": HTTP " + r.statusCode());
        return new java.io.BufferedInputStream(r.body(), 1 << 16);
    }

    private static byte[] offset(long offset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (offset != 0) {
            out.write(0x08);
            long v = offset;
            while ((v & ~0x7fL) != 0) {
                out.write((int) ((v & 0x7f) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }
        return out.toByteArray();
    }

    /** {value, index after it}. */
    private static long[] varint(byte[] b, int i) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[i++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) return new long[] {v, i};
        }
    }
}
