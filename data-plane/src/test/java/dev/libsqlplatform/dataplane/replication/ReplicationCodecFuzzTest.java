package dev.libsqlplatform.dataplane.replication;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedOutputStream;
import dev.libsqlplatform.dataplane.FuzzBudget;
import java.io.ByteArrayOutputStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The replication decoders (LogOffset, HelloRequest, ProgramReq with its conditions and bincode values,
 * DescribeRequest) on arbitrary bytes and on mutated valid messages: each input decodes or fails with a typed
 * {@code INVALID_ARGUMENT} — never a runtime exception, never a stack overflow (nesting is bounded).
 */
@AddLifecycleHook(FuzzBudget.class)
class ReplicationCodecFuzzTest {

    static void decodeAll(byte[] bytes) {
        for (Decoder d : new Decoder[] {Messages.LogOffset::parse, Messages::parseHello, ProxyMessages::parseProgram,
                ProxyMessages::parseDescribe}) { // results are ignored: only how each input fails matters
            try {
                d.decode(bytes);
            } catch (ReplicationException e) {
                assertThat(e.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @FunctionalInterface
    interface Decoder {
        void decode(byte[] b) throws ReplicationException;
    }

    @Property(tries = 3000)
    void arbitraryBytes(@ForAll("bytes") byte[] bytes) {
        decodeAll(bytes);
    }

    @Property(tries = 3000)
    void mutatedPrograms(@ForAll("mutations") int[] flips) throws Exception {
        byte[] valid = program();
        for (int f : flips) {
            int at = Math.floorMod(f, valid.length);
            valid[at] = (byte) (valid[at] ^ (1 + Math.floorMod(f >> 8, 255)));
        }
        decodeAll(valid);
    }

    @Example
    void deeplyNestedConditionsAreRefusedNotRecursedInto() throws Exception {
        byte[] cond = msg(out -> out.writeByteArray(6, new byte[0])); // is_autocommit
        for (int i = 0; i < 5_000; i++) {
            byte[] inner = cond;
            byte[] not = msg(out -> out.writeByteArray(1, inner));
            cond = msg(out -> out.writeByteArray(3, not));
        }
        byte[] c = cond;
        byte[] query = msg(out -> out.writeString(1, "SELECT 1"));
        byte[] step = msg(out -> {
            out.writeByteArray(1, c);
            out.writeByteArray(2, query);
        });
        byte[] pgm = msg(out -> out.writeByteArray(1, step));
        byte[] req = msg(out -> {
            out.writeString(1, "c");
            out.writeByteArray(2, pgm);
        });
        decodeAll(req);
        try {
            ProxyMessages.parseProgram(req);
            throw new AssertionError("a 5,000-deep condition was accepted");
        } catch (ReplicationException e) {
            assertThat(e.status()).isEqualTo(GrpcStatus.INVALID_ARGUMENT);
        }
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
    }

    @Provide
    Arbitrary<int[]> mutations() {
        return Arbitraries.integers().array(int[].class).ofMinSize(1).ofMaxSize(6);
    }

    /** A valid ProgramReq: a condition tree, positional and named bincode values of every kind. */
    static byte[] program() throws Exception {
        byte[] ok = msg(out -> out.writeInt64(1, 0));
        byte[] okCond = msg(out -> out.writeByteArray(1, ok));
        byte[] and = msg(out -> {
            out.writeByteArray(1, okCond);
            out.writeByteArray(1, msg(o -> o.writeByteArray(6, new byte[0])));
        });
        byte[] cond = msg(out -> out.writeByteArray(4, and));
        byte[] positional = msg(out -> {
            out.writeByteArray(1, msg(o -> o.writeByteArray(1, ProxyMessages.bincode(null))));
            out.writeByteArray(1, msg(o -> o.writeByteArray(1, ProxyMessages.bincode(42L))));
            out.writeByteArray(1, msg(o -> o.writeByteArray(1, ProxyMessages.bincode(1.5))));
            out.writeByteArray(1, msg(o -> o.writeByteArray(1, ProxyMessages.bincode("text"))));
            out.writeByteArray(1, msg(o -> o.writeByteArray(1, ProxyMessages.bincode(new byte[] {1, 2}))));
        });
        byte[] named = msg(out -> {
            out.writeString(1, ":v");
            out.writeByteArray(2, msg(o -> o.writeByteArray(1, ProxyMessages.bincode("x"))));
        });
        byte[] q1 = msg(out -> {
            out.writeString(1, "INSERT INTO t VALUES (?, ?, ?, ?, ?)");
            out.writeByteArray(2, positional);
        });
        byte[] q2 = msg(out -> {
            out.writeString(1, "INSERT INTO t VALUES (:v)");
            out.writeByteArray(3, named);
            out.writeBool(4, true);
        });
        byte[] pgm = msg(out -> {
            out.writeByteArray(1, msg(o -> o.writeByteArray(2, q1)));
            out.writeByteArray(1, msg(o -> {
                o.writeByteArray(1, cond);
                o.writeByteArray(2, q2);
            }));
        });
        byte[] req = msg(out -> {
            out.writeString(1, "client");
            out.writeByteArray(2, pgm);
        });
        ProxyMessages.Program parsed = ProxyMessages.parseProgram(req);
        assertThat(parsed.batch().steps()).hasSize(2);
        assertThat(parsed.batch().steps().get(0).stmt().args()).hasSize(5);
        assertThat(parsed.batch().steps().get(1).condition().type()).isEqualTo("and");
        return req;
    }

    @FunctionalInterface
    interface W {
        void write(CodedOutputStream out) throws Exception;
    }

    static byte[] msg(W w) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(b);
        w.write(out);
        out.flush();
        return b.toByteArray();
    }
}
