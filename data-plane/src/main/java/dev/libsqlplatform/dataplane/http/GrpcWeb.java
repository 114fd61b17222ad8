package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.replication.GrpcStatus;
import dev.libsqlplatform.dataplane.replication.ReplicationException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * gRPC-web framing (application/grpc-web, binary): a request is one data frame {@code 0x00 | u32 BE length | message};
 * an answer is HTTP 200 with data frames and one trailer frame {@code 0x80 | u32 BE length | "grpc-status:N\r\n"
 * ["grpc-message:<percent-encoded>\r\n"]}, as tonic-web writes it. The message is percent-encoded beyond what the
 * gRPC spec requires: the {@code libsql} client cut a raw {@code :} off with everything after it.
 */
final class GrpcWeb {
    static final String CONTENT_TYPE = "application/grpc-web+proto";

    private GrpcWeb() {
    }

    /** The one message of a unary or server-streaming request body. */
    static byte[] message(byte[] body) throws ReplicationException {
        if (body.length < 5) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "the request is not a gRPC-web message frame");
        }
        if (body[0] != 0) {
            throw new ReplicationException(body[0] == 1 ? GrpcStatus.UNIMPLEMENTED : GrpcStatus.INVALID_ARGUMENT,
                    body[0] == 1 ? "compressed gRPC messages are not supported" : "the first frame is not a data frame");
        }
        long len = ((body[1] & 0xffL) << 24) | ((body[2] & 0xff) << 16) | ((body[3] & 0xff) << 8) | (body[4] & 0xff);
        if (len != body.length - 5) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "the gRPC-web frame says " + len
                    + " bytes but the body holds " + (body.length - 5));
        }
        byte[] msg = new byte[(int) len];
        System.arraycopy(body, 5, msg, 0, msg.length);
        return msg;
    }

    static void writeData(OutputStream out, byte[] message) throws IOException {
        writeFrame(out, 0x00, message);
    }

    static void writeTrailer(OutputStream out, GrpcStatus status, String message) throws IOException {
        StringBuilder sb = new StringBuilder("grpc-status:").append(status.code()).append("\r\n");
        if (message != null && !message.isEmpty()) {
            sb.append("grpc-message:").append(percentEncode(message)).append("\r\n");
        }
        writeFrame(out, 0x80, sb.toString().getBytes(StandardCharsets.US_ASCII));
    }

    private static void writeFrame(OutputStream out, int flag, byte[] payload) throws IOException {
        int n = payload.length;
        out.write(new byte[] {(byte) flag, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
        out.write(payload);
    }

    static String percentEncode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || " ._~-,;()'=/!*+`".indexOf(c) >= 0;
            if (plain) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }
}
