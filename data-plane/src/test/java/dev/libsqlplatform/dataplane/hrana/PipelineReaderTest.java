package dev.libsqlplatform.dataplane.hrana;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.libsqlplatform.dataplane.error.ApiException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** The streaming pipeline reader binds exactly what Jackson's databind binding produced before it. */
class PipelineReaderTest {
    private static final JsonMapper DATABIND = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT v FROM kv WHERE k = ?\",\"args\":[{\"type\":\"integer\",\"value\":\"42\"}]}},{\"type\":\"close\"}]}",
            "{\"baton\":\"abc\",\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql_id\":3,\"want_rows\":false,\"named_args\":[{\"name\":\":a\",\"value\":{\"type\":\"float\",\"value\":1.5}},{\"name\":\"b\",\"value\":{\"type\":\"blob\",\"base64\":\"AAE=\"}}]}}]}",
            "{\"requests\":[{\"type\":\"batch\",\"batch\":{\"steps\":[{\"stmt\":{\"sql\":\"BEGIN\"}},{\"condition\":{\"type\":\"and\",\"conds\":[{\"type\":\"ok\",\"step\":0},{\"type\":\"not\",\"cond\":{\"type\":\"is_autocommit\"}}]},\"stmt\":{\"sql\":\"COMMIT\",\"args\":[{\"type\":\"null\"},{\"type\":\"integer\",\"value\":7},{\"type\":\"text\",\"value\":\"x\",\"extra\":[1,{\"a\":2}]}]}}]}}]}",
            "{\"unknown\":{\"deep\":[1,2,{\"x\":null}]},\"requests\":[{\"type\":\"store_sql\",\"sql_id\":\"5\",\"sql\":\"SELECT 1\"},{\"type\":\"get_autocommit\",\"ignored\":true},{\"type\":\"sequence\",\"sql\":12}]}",
            "{\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT ?\",\"args\":[{\"type\":\"integer\",\"value\":12345678901234},{\"type\":\"text\",\"value\":true},null]}},null]}",
            "{\"baton\":null}",
            "{\"requests\":null,\"baton\":5}"
    })
    void bindsLikeDatabind(String body) throws Exception {
        Proto.PipelineRequest expected = DATABIND.readValue(body, Proto.PipelineRequest.class);
        Proto.PipelineRequest actual = HranaJson.readPipeline(in(body));
        assertThat(actual).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "{nope", "[]", "{\"requests\":{}}", "{\"requests\":[{\"type\":[]}]}"})
    void rejectsWhatIsNotAPipeline(String body) {
        assertThatThrownBy(() -> HranaJson.readPipeline(in(body))).isInstanceOf(ApiException.class);
    }

    private static ByteArrayInputStream in(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
