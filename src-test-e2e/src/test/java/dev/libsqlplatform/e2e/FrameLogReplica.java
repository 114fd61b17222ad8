package dev.libsqlplatform.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replica that pulls a database's frame log over gRPC-web the way the {@code libsql} client does (Hello,
 * BatchLogEntries from its next offset, Snapshot after NEED_SNAPSHOT) and applies whole transactions to a local file:
 * the crash test's witness of what the log holds. Unlike the real client it checks what it receives: frame numbers
 * must be consecutive within one log id, every frame 4120 bytes, and the announced index must be reached exactly.
 */
final class FrameLogReplica {
    private static final int FRAME = 4120;
    private static final int PAGE = 4096;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String workerUrl;
    private final String token;
    private final Path file;
    private String logId;
    private long next;
    private long committed = -1;

    FrameLogReplica(String workerUrl, String token, Path file) {
        this.workerUrl = workerUrl;
        this.token = token;
        this.file = file;
    }

    Path file() {
        return file;
    }

    String logId() {
        return logId;
    }

    long committed() {
        return committed;
    }

    /** Pulls at least up to the index Hello announced; returns the commit reached. */
    long sync() throws Exception {
        Grpc hello = call("wal_log.ReplicationLog/Hello", new byte[] {0x08, 0x01});
        hello.ok();
        String id = null;
        long index = -1;
        for (Field f : fields(hello.messages.get(0))) {
            if (f.number == 3) {
                id = new String(f.bytes, StandardCharsets.UTF_8);
            } else if (f.number == 5) {
                index = f.varint;
            }
        }
        if (logId != null && !logId.equals(id)) {
            throw new AssertionError("the log id changed from " + logId + " to " + id + ": history was rewritten");
        }
        logId = id;
        Map<Integer, byte[]> pending = new LinkedHashMap<>();
        while (committed < index) {
            Grpc batch = call("wal_log.ReplicationLog/BatchLogEntries", logOffset(next));
            if (batch.status == 9 && "NEED_SNAPSHOT".equals(batch.message)) {
                Grpc snap = call("wal_log.ReplicationLog/Snapshot", logOffset(next));
                snap.ok();
                pending.clear();
                long base = -1;
                for (byte[] m : snap.messages) {
                    byte[] frame = fields(m).get(0).bytes;
                    base = apply(frame, pending);
                }
                next = base + 1;
                continue;
            }
            batch.ok();
            List<byte[]> frames = new ArrayList<>();
            for (Field f : fields(batch.messages.get(0))) {
                frames.add(fields(f.bytes).get(0).bytes);
            }
            if (frames.isEmpty()) {
                throw new AssertionError("empty batch at " + next + " although Hello announced " + index
                        + " and the replica has " + committed);
            }
            for (byte[] f : frames) {
                long no = le(f, 0);
                if (no != next) {
                    throw new AssertionError("frame " + no + " arrived where " + next + " was due");
                }
                apply(f, pending);
                next = no + 1;
            }
        }
        // while writes go on, the batches may carry commits newer than the Hello (the client does the same)
        if (committed < index) {
            throw new AssertionError("replica at " + committed + ", announced " + index);
        }
        return committed;
    }

    /** Buffers a frame; on a commit frame writes the transaction's pages and truncates. Returns its frame number. */
    private long apply(byte[] frame, Map<Integer, byte[]> pending) throws IOException {
        if (frame.length != FRAME) {
            throw new AssertionError("frame of " + frame.length + " bytes");
        }
        long no = le(frame, 0);
        int pageNo = (int) (le(frame, 16) & 0xffffffffL);
        int sizeAfter = (int) (le(frame, 16) >>> 32);
        byte[] page = new byte[PAGE];
        System.arraycopy(frame, 24, page, 0, PAGE);
        pending.put(pageNo, page);
        if (sizeAfter != 0) {
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                for (Map.Entry<Integer, byte[]> e : pending.entrySet()) {
                    raf.seek((long) (e.getKey() - 1) * PAGE);
                    raf.write(e.getValue());
                }
                raf.setLength((long) sizeAfter * PAGE);
            }
            pending.clear();
            committed = no;
        }
        return no;
    }

    private static long le(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    private static byte[] logOffset(long offset) {
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

    private record Grpc(int status, String message, List<byte[]> messages) {
        void ok() {
            if (status != 0) {
                throw new AssertionError("grpc-status " + status + ": " + message);
            }
        }
    }

    private Grpc call(String method, byte[] msg) throws Exception {
        byte[] body = ByteBuffer.allocate(5 + msg.length).put((byte) 0).putInt(msg.length).put(msg).array();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(workerUrl + "/" + method))
                .timeout(Duration.ofSeconds(60))
                .header("content-type", "application/grpc-web")
                .header("x-authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new AssertionError(method + " answered HTTP " + r.statusCode());
        }
        ByteBuffer in = ByteBuffer.wrap(r.body());
        List<byte[]> messages = new ArrayList<>();
        int status = -1;
        String message = null;
        while (in.remaining() >= 5) {
            int flag = in.get() & 0xff;
            byte[] payload = new byte[in.getInt()];
            in.get(payload);
            if (flag == 0) {
                messages.add(payload);
                continue;
            }
            for (String line : new String(payload, StandardCharsets.US_ASCII).split("\r\n")) {
                if (line.startsWith("grpc-status:")) {
                    status = Integer.parseInt(line.substring(12));
                } else if (line.startsWith("grpc-message:")) {
                    message = java.net.URLDecoder.decode(line.substring(13).replace("+", "%2B"), StandardCharsets.UTF_8);
                }
            }
        }
        return new Grpc(status, message, messages);
    }

    private record Field(int number, long varint, byte[] bytes) {
    }

    /** A flat protobuf parse: varints and length-delimited fields (all these messages use). */
    private static List<Field> fields(byte[] msg) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < msg.length) {
            long tag = varint(msg, pos);
            int number = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case 0 -> out.add(new Field(number, varint(msg, pos), null));
                case 2 -> {
                    int len = (int) varint(msg, pos);
                    byte[] b = new byte[len];
                    System.arraycopy(msg, pos[0], b, 0, len);
                    pos[0] += len;
                    out.add(new Field(number, 0, b));
                }
                default -> throw new AssertionError("unexpected wire type in " + tag);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b[pos[0]++] & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
    }
}
