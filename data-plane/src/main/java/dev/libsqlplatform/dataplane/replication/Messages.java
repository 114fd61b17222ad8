package dev.libsqlplatform.dataplane.replication;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The protobuf messages of sqld's {@code libsql-replication/proto/replication_log.proto} (package {@code wal_log})
 * that the {@code libsql} client uses, written and read field by field with protobuf-java's coded streams: they are
 * flat (varints, strings, bytes, one nested message), so generated classes would add a build step and nothing else.
 * Unknown fields are skipped, as generated code does.
 */
final class Messages {
    private Messages() {
    }

    /** {@code LogOffset}: {@code 1 uint64 next_offset}, {@code 2 optional WalFlavor wal_flavor} (Sqlite 0, Libsql 1). */
    record LogOffset(long nextOffset, Integer walFlavor) {
        static LogOffset parse(byte[] bytes) throws ReplicationException {
            long offset = 0;
            Integer flavor = null;
            try {
                CodedInputStream in = CodedInputStream.newInstance(bytes);
                for (int tag; (tag = in.readTag()) != 0; ) {
                    switch (tag) {
                        case (1 << 3) | WireFormat.WIRETYPE_VARINT -> offset = in.readUInt64();
                        case (2 << 3) | WireFormat.WIRETYPE_VARINT -> flavor = in.readEnum();
                        default -> in.skipField(tag);
                    }
                }
            } catch (IOException e) {
                throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "malformed LogOffset: " + e.getMessage());
            }
            return new LogOffset(offset, flavor);
        }
    }

    /** Checks a {@code HelloRequest} ({@code 1 optional uint64 handshake_version}) parses; its content is not needed. */
    static void parseHello(byte[] bytes) throws ReplicationException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            for (int tag; (tag = in.readTag()) != 0; ) {
                in.skipField(tag);
            }
        } catch (IOException e) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "malformed HelloRequest: " + e.getMessage());
        }
    }

    /**
     * {@code HelloResponse}: 1 generation_id, 2 generation_start_index, 3 log_id, 4 session_token (bytes),
     * 5 optional current_replication_index, 6 config ({@code metadata.DatabaseConfig}, sent empty).
     */
    static byte[] helloResponse(String generationId, String logId, String sessionToken, Long replicationIndex) {
        return write(out -> {
            out.writeString(1, generationId);
            out.writeUInt64(2, 0);
            out.writeString(3, logId);
            out.writeByteArray(4, sessionToken.getBytes(StandardCharsets.US_ASCII));
            if (replicationIndex != null) {
                out.writeUInt64(5, replicationIndex);
            }
            out.writeTag(6, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(0);
        });
    }

    /** {@code Frame}: {@code 1 bytes data} (the 4120-byte frame). */
    static byte[] frame(byte[] data) {
        return write(out -> out.writeByteArray(1, data));
    }

    /** {@code Frames}: {@code 1 repeated Frame frames}. */
    static byte[] frames(List<byte[]> frames) {
        return write(out -> {
            for (byte[] f : frames) {
                out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
                out.writeUInt32NoTag(CodedOutputStream.computeByteArraySize(1, f));
                out.writeByteArray(1, f);
            }
        });
    }

    @FunctionalInterface
    interface Writer {
        void write(CodedOutputStream out) throws IOException;
    }

    /** A message written into memory by {@code w}. */
    static byte[] write(Writer w) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            w.write(out);
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }
}
