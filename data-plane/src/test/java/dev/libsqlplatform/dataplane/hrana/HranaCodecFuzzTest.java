package dev.libsqlplatform.dataplane.hrana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.FuzzBudget;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Fuzzes the Hrana JSON decoder the HTTP valve and controller use ({@link HranaJson#readPipeline(byte[])} for
 * bodies up to 64 KiB, {@link HranaJson#readPipeline(java.io.InputStream)} for longer or chunked ones,
 * {@code readCursor}, {@code readLegacy}): every input either decodes or fails with the codec's typed
 * {@code HRANA_PROTO_ERROR} (never NullPointerException, ClassCastException, StackOverflowError, a raw Jackson
 * exception...), and both pipeline entry points agree.
 */
@AddLifecycleHook(FuzzBudget.class)
class HranaCodecFuzzTest {

    /** The outcome of one decoding: the request, or null after the typed protocol error. */
    static Proto.PipelineRequest decodeBytes(byte[] body) {
        try {
            Proto.PipelineRequest r = HranaJson.readPipeline(body);
            assertThat(r).isNotNull();
            return r;
        } catch (ApiException e) {
            assertTyped(e);
            return null;
        }
    }

    static Proto.PipelineRequest decodeStream(byte[] body) {
        try {
            Proto.PipelineRequest r = HranaJson.readPipeline(new ByteArrayInputStream(body));
            assertThat(r).isNotNull();
            return r;
        } catch (ApiException e) {
            assertTyped(e);
            return null;
        }
    }

    static void assertTyped(ApiException e) {
        assertThat(e.code()).isEqualTo(ErrorCode.HRANA_PROTO_ERROR);
        assertThat(e.getMessage()).isNotBlank();
    }

    /** Decodes through every entry point; the two pipeline paths must give the same outcome. */
    static Proto.PipelineRequest decodeEverywhere(byte[] body) {
        Proto.PipelineRequest a = decodeBytes(body);
        Proto.PipelineRequest b = decodeStream(body);
        assertThat(b).as("stream and byte-array decoding agree").isEqualTo(a);
        try {
            assertThat(HranaJson.readCursor(new ByteArrayInputStream(body))).isNotNull();
        } catch (ApiException e) {
            assertTyped(e);
        }
        try {
            assertThat(HranaJson.readLegacy(new ByteArrayInputStream(body))).isNotNull();
        } catch (ApiException e) {
            assertTyped(e);
        }
        return a;
    }

    @Property(tries = 400)
    void arbitraryBytesDecodeOrFailTyped(@ForAll("bytes") byte[] body) {
        decodeEverywhere(body);
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        // byte-order marks and UTF-16/32 look-alikes make Jackson's encoding detection take other paths
        Arbitrary<byte[]> withBom = Arbitraries.of(new byte[]{(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                        new byte[]{(byte) 0xFE, (byte) 0xFF}, new byte[]{(byte) 0xFF, (byte) 0xFE},
                        new byte[]{0, 0, (byte) 0xFE, (byte) 0xFF}, new byte[]{(byte) 0xFF, (byte) 0xFE, 0, 0},
                        new byte[]{0, 0, (byte) 0xFF, (byte) 0xFE}, new byte[]{(byte) 0xFE, (byte) 0xFF, 0, 0},
                        new byte[]{0, 0, 0, '{'}, new byte[]{0, '{', 0, 0}, new byte[]{0, '{'}, new byte[]{'{', 0})
                .flatMap(prefix -> raw.map(rest -> concat(prefix, rest)));
        return Arbitraries.oneOf(raw, withBom);
    }

    @Property(tries = 300)
    void validBodiesDecodeToTheSameRecords(@ForAll("pipelines") Proto.PipelineRequest req) {
        byte[] body = HranaFuzzInputs.toJson(req);
        assertThat(decodeEverywhere(body)).isEqualTo(req);
    }

    @Provide
    Arbitrary<Proto.PipelineRequest> pipelines() {
        return HranaFuzzInputs.pipelines();
    }

    /** A strict prefix of a valid body is incomplete JSON: always the typed error, never a partial request. */
    @Property(tries = 300)
    void truncatedBodiesFailTyped(@ForAll("pipelines") Proto.PipelineRequest req,
                                  @ForAll @IntRange(min = 0, max = 100) int cut) {
        byte[] body = HranaFuzzInputs.toJson(req);
        byte[] prefix = Arrays.copyOf(body, body.length * cut / 101);
        assertThat(decodeEverywhere(prefix)).as("decoding %s", new String(prefix)).isNull();
    }

    @Property(tries = 500)
    void mutatedBodiesDecodeOrFailTyped(@ForAll("mutated") byte[] body) {
        decodeEverywhere(body);
    }

    @Provide
    Arbitrary<byte[]> mutated() {
        return HranaFuzzInputs.mutatedBodies();
    }

    @Property(tries = 500)
    void wrongTypesAndHugeNumbersDecodeOrFailTyped(@ForAll("soup") String body) {
        decodeEverywhere(HranaFuzzInputs.utf8(body));
    }

    @Provide
    Arbitrary<String> soup() {
        return HranaFuzzInputs.jsonSoup();
    }

    @Property(tries = 60)
    void deepNestingDecodesOrFailsTyped(@ForAll("deep") String body) {
        decodeEverywhere(HranaFuzzInputs.utf8(body));
    }

    @Provide
    Arbitrary<String> deep() {
        return HranaFuzzInputs.deepBodies();
    }

    @Example
    void emptyAndNullBodiesAreTypedErrors() {
        for (String body : new String[]{"", " ", "null", "\n"}) {
            assertThatThrownBy(() -> HranaJson.readPipeline(HranaFuzzInputs.utf8(body)))
                    .isInstanceOf(ApiException.class).hasMessageContaining("empty");
        }
    }

    /** Found by {@link #arbitraryBytesDecodeOrFailTyped}: Jackson's encoding detection threw from createParser. */
    @Example
    void ucs4ByteOrderMarkIsATypedError() {
        byte[] body = {0, 0, (byte) 0xFF, (byte) 0xFE, '{', '}'};
        assertThatThrownBy(() -> HranaJson.readPipeline(body)).isInstanceOf(ApiException.class)
                .hasMessageContaining("UCS-4");
        assertThatThrownBy(() -> HranaJson.readPipeline(new ByteArrayInputStream(body)))
                .isInstanceOf(ApiException.class).hasMessageContaining("UCS-4");
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
