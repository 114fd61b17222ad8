package dev.libsqlplatform.dataplane.replication;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.libsqlplatform.dataplane.hrana.Proto;
import dev.libsqlplatform.dataplane.storage.Column;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * sqld's {@code proxy.proto} messages used by embedded replicas to forward writes ({@code Execute}, {@code Describe}),
 * translated to and from Hrana's structures, so that forwarded statements run through exactly the same executor,
 * sandbox and access checks as Hrana requests. Parameter and row values are bincode 1.x (fixint, little-endian) of
 * {@code enum Value {Null, Integer(i64), Real(f64), Text(String), Blob(Vec<u8>)}}.
 */
final class ProxyMessages {
    private ProxyMessages() {
    }

    /** Deeper condition trees are refused: each level is a recursive call here and in the batch evaluation. */
    static final int MAX_CONDITION_DEPTH = 64;

    /** {@code ProgramReq{1 client_id, 2 Program{1 repeated Step{1 optional Cond, 2 Query}}}} as a Hrana batch. */
    record Program(String clientId, Proto.Batch batch) {
    }

    /** {@code DescribeRequest{1 client_id, 2 stmt}}. */
    record Describe(String clientId, String sql) {
    }

    static Program parseProgram(byte[] bytes) throws ReplicationException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            String clientId = "";
            List<Proto.BatchStep> steps = new ArrayList<>();
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> clientId = in.readString();
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                        CodedInputStream pgm = CodedInputStream.newInstance(in.readByteArray());
                        for (int t; (t = pgm.readTag()) != 0; ) {
                            if (t == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                                steps.add(step(pgm.readByteArray()));
                            } else {
                                pgm.skipField(t);
                            }
                        }
                    }
                    default -> in.skipField(tag);
                }
            }
            return new Program(clientId, new Proto.Batch(steps));
        } catch (IOException | RuntimeException e) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "malformed ProgramReq: " + e.getMessage());
        }
    }

    static Describe parseDescribe(byte[] bytes) throws ReplicationException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            String clientId = "";
            String sql = null;
            for (int tag; (tag = in.readTag()) != 0; ) {
                switch (tag) {
                    case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> clientId = in.readString();
                    case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> sql = in.readString();
                    default -> in.skipField(tag);
                }
            }
            if (sql == null) {
                throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "DescribeRequest has no statement");
            }
            return new Describe(clientId, sql);
        } catch (IOException e) {
            throw new ReplicationException(GrpcStatus.INVALID_ARGUMENT, "malformed DescribeRequest: " + e.getMessage());
        }
    }

    private static Proto.BatchStep step(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Proto.Cond cond = null;
        Proto.Stmt stmt = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> cond = cond(in.readByteArray(), 1);
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> stmt = query(in.readByteArray());
                default -> in.skipField(tag);
            }
        }
        if (stmt == null) {
            throw new IOException("a step has no query");
        }
        return new Proto.BatchStep(cond, stmt);
    }

    private static Proto.Cond cond(byte[] bytes, int depth) throws IOException {
        if (depth > MAX_CONDITION_DEPTH) {
            throw new IOException("conditions nested deeper than " + MAX_CONDITION_DEPTH);
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Proto.Cond result = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = WireFormat.getTagFieldNumber(tag);
            if (WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                in.skipField(tag);
                continue;
            }
            byte[] sub = in.readByteArray();
            result = switch (field) {
                case 1 -> new Proto.Cond("ok", stepOf(sub), null, null);
                case 2 -> new Proto.Cond("error", stepOf(sub), null, null);
                case 3 -> new Proto.Cond("not", null, innerCond(sub, depth), null);
                case 4 -> new Proto.Cond("and", null, null, conds(sub, depth));
                case 5 -> new Proto.Cond("or", null, null, conds(sub, depth));
                case 6 -> new Proto.Cond("is_autocommit", null, null, null);
                default -> result;
            };
        }
        if (result == null) {
            throw new IOException("a condition has no kind");
        }
        return result;
    }

    private static Integer stepOf(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        long step = 0;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_VARINT)) {
                step = in.readInt64();
            } else {
                in.skipField(tag);
            }
        }
        if (step < 0 || step > Integer.MAX_VALUE) {
            throw new IOException("step " + step + " out of range");
        }
        return (int) step;
    }

    private static Proto.Cond innerCond(byte[] bytes, int depth) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        Proto.Cond c = null;
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                c = cond(in.readByteArray(), depth + 1);
            } else {
                in.skipField(tag);
            }
        }
        if (c == null) {
            throw new IOException("a `not` condition has no operand");
        }
        return c;
    }

    private static List<Proto.Cond> conds(byte[] bytes, int depth) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        List<Proto.Cond> list = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                list.add(cond(in.readByteArray(), depth + 1));
            } else {
                in.skipField(tag);
            }
        }
        return list;
    }

    /** {@code Query{1 stmt, 2 Positional{1 repeated Value}, 3 Named{1 names, 2 values}, 4 skip_rows}}. */
    private static Proto.Stmt query(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        String sql = null;
        List<Proto.Value> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Proto.Value> namedValues = new ArrayList<>();
        boolean skipRows = false;
        for (int tag; (tag = in.readTag()) != 0; ) {
            switch (tag) {
                case (1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> sql = in.readString();
                case (2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    CodedInputStream p = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = p.readTag()) != 0; ) {
                        if (t == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                            args.add(value(p.readByteArray()));
                        } else {
                            p.skipField(t);
                        }
                    }
                }
                case (3 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    CodedInputStream n = CodedInputStream.newInstance(in.readByteArray());
                    for (int t; (t = n.readTag()) != 0; ) {
                        if (t == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                            names.add(n.readString());
                        } else if (t == ((2 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                            namedValues.add(value(n.readByteArray()));
                        } else {
                            n.skipField(t);
                        }
                    }
                }
                case (4 << 3) | WireFormat.WIRETYPE_VARINT -> skipRows = in.readBool();
                default -> in.skipField(tag);
            }
        }
        if (sql == null) {
            throw new IOException("a query has no statement");
        }
        if (names.size() != namedValues.size()) {
            throw new IOException("named parameters: " + names.size() + " names for " + namedValues.size() + " values");
        }
        List<Proto.NamedArg> named = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            named.add(new Proto.NamedArg(names.get(i), namedValues.get(i)));
        }
        return new Proto.Stmt(sql, null, args, named, !skipRows);
    }

    /** {@code Value{1 bytes data}} with bincode data, as a Hrana value. */
    private static Proto.Value value(byte[] bytes) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        byte[] data = new byte[0];
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == ((1 << 3) | WireFormat.WIRETYPE_LENGTH_DELIMITED)) {
                data = in.readByteArray();
            } else {
                in.skipField(tag);
            }
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        try {
            int variant = b.getInt();
            return switch (variant) {
                case 0 -> Proto.Value.NULL;
                case 1 -> new Proto.Value("integer", Long.toString(b.getLong()), null);
                case 2 -> new Proto.Value("float", b.getDouble(), null);
                case 3 -> new Proto.Value("text", new String(lengthPrefixed(b), StandardCharsets.UTF_8), null);
                case 4 -> new Proto.Value("blob", null, Base64.getEncoder().encodeToString(lengthPrefixed(b)));
                default -> throw new IOException("unknown value variant " + variant);
            };
        } catch (java.nio.BufferUnderflowException e) {
            throw new IOException("truncated value");
        }
    }

    private static byte[] lengthPrefixed(ByteBuffer b) throws IOException {
        long n = b.getLong();
        if (n < 0 || n > b.remaining()) {
            throw new IOException("value length " + n + " exceeds the message");
        }
        byte[] out = new byte[(int) n];
        b.get(out);
        return out;
    }

    static byte[] bincode(Object v) {
        if (v == null) {
            return new byte[4];
        }
        if (v instanceof Long l) {
            return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putLong(l).array();
        }
        if (v instanceof Double d) {
            return ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(2).putDouble(d).array();
        }
        byte[] payload = v instanceof byte[] bytes ? bytes : v.toString().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(12 + payload.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(v instanceof byte[] ? 4 : 3).putLong(payload.length).put(payload).array();
    }

    /** One step's outcome: a result, an error, or neither (skipped by its condition: an empty result). */
    record StepOutcome(Proto.StmtResult result, Proto.Error error) {
    }

    /** {@code ExecuteResults{1 repeated QueryResult, 2 State, 3 optional current_frame_no}}. */
    static byte[] executeResults(List<StepOutcome> steps, boolean autocommit, long currentFrameNo) {
        return write(out -> {
            for (StepOutcome s : steps) {
                byte[] qr = s.error() != null ? wrap(1, error(s.error())) : wrap(2, rows(s.result()));
                out.writeByteArray(1, qr);
            }
            out.writeEnum(2, autocommit ? 0 : 2);
            out.writeUInt64(3, currentFrameNo);
        });
    }

    /** {@code DescribeResult{2 Description{1 columns, 2 param_names, 3 param_count}}} or {@code {1 Error}}. */
    static byte[] describeResult(Proto.DescribeResult d, Proto.Error error) {
        if (error != null) {
            return wrap(1, error(error));
        }
        byte[] desc = write(out -> {
            for (Column c : d.cols()) {
                out.writeByteArray(1, column(c));
            }
            // libsql-js asks for parameter_name(i + 1) of a 0-based list: one leading placeholder keeps named
            // parameters from panicking the client (tursodatabase/libsql#2010); param_count stays the real count
            List<String> params = d.params() == null ? List.of() : d.params();
            if (!params.isEmpty()) {
                out.writeString(2, "?");
                for (String p : params) {
                    out.writeString(2, p == null ? "?" : p);
                }
            }
            out.writeUInt64(3, params.size());
        });
        return wrap(2, desc);
    }

    private static byte[] rows(Proto.StmtResult r) {
        return write(out -> {
            if (r == null) {
                return;
            }
            for (Column c : r.cols()) {
                out.writeByteArray(1, column(c));
            }
            for (Object[] row : r.rows()) {
                ByteArrayOutputStream rowBytes = new ByteArrayOutputStream();
                CodedOutputStream ro = CodedOutputStream.newInstance(rowBytes);
                for (Object v : row) {
                    ro.writeByteArray(1, wrap(1, bincode(v)));
                }
                ro.flush();
                out.writeByteArray(2, rowBytes.toByteArray());
            }
            out.writeUInt64(3, r.affectedRowCount());
            if (r.lastInsertRowid() != null) {
                out.writeInt64(4, r.lastInsertRowid());
            }
        });
    }

    private static byte[] column(Column c) {
        return write(out -> {
            out.writeString(1, c.name() == null ? "" : c.name());
            if (c.decltype() != null) {
                out.writeString(3, c.decltype());
            }
        });
    }

    /** {@code Error{1 code (SQL_ERROR 0), 2 message}}: the message starts with the Hrana code (SQLITE_CONSTRAINT: ...). */
    private static byte[] error(Proto.Error e) {
        return write(out -> {
            out.writeEnum(1, 0);
            out.writeString(2, e.code().name() + (e.message() == null ? "" : ": " + e.message()));
        });
    }

    private static byte[] wrap(int field, byte[] message) {
        return write(out -> out.writeByteArray(field, message));
    }

    private static byte[] write(Messages.Writer w) {
        return Messages.write(w);
    }
}
