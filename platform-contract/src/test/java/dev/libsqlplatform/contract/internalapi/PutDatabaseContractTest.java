package dev.libsqlplatform.contract.internalapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The PUT body against the shared sample {@code docs/contracts/worker-put-database.json}, through the mapper
 * configuration of each app: the control plane writes with Spring Boot's mapper plus
 * {@code accept-case-insensitive-properties} and lenient unknown fields (control-plane application.yml); the worker
 * reads with Spring Boot's defaults (unknown fields ignored). Each app's own test then checks that it fills
 * (control plane, WorkerPushTest) and stores (worker, InternalPutContractTest) every component.
 */
class PutDatabaseContractTest {
    static final Path SAMPLE = Path.of("..", "docs", "contracts", "worker-put-database.json");

    static final JsonMapper CONTROL_PLANE = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    static final JsonMapper WORKER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    static String sample() throws IOException {
        return Files.readString(SAMPLE);
    }

    @Test
    void theSampleHasExactlyTheRecordsFields() throws Exception {
        JsonNode sample = WORKER.readTree(sample());
        assertThat(fieldNames(sample)).isEqualTo(components(PutDatabase.class));
        for (JsonNode key : sample.get("keys")) {
            assertThat(fieldNames(key)).isEqualTo(components(PutDatabase.Key.class));
        }
    }

    @Test
    void everyFieldTheControlPlaneWritesIsReadByTheWorkerAndBack() throws Exception {
        PutDatabase sent = ContractJson.parseStrictly(sample(), PutDatabase.class);
        assertNoComponentIsEmpty(sent);
        String wire = CONTROL_PLANE.writeValueAsString(sent);
        PutDatabase received = WORKER.readValue(wire, PutDatabase.class);
        assertThat(received).isEqualTo(sent);
        assertThat(WORKER.readTree(wire)).isEqualTo(WORKER.readTree(sample()));
        // and the worker's reading is strict enough for the stand-ins: nothing left over, nothing unknown
        assertThat(ContractJson.parseStrictly(wire, PutDatabase.class)).isEqualTo(sent);
    }

    @Test
    void theStandInsRefuseABodyThatDriftedFromTheContract() throws Exception {
        String renamed = sample().replace("\"allowedIps\"", "\"allowedIPs\"");
        assertThatThrownBy(() -> ContractJson.parseStrictly(renamed, PutDatabase.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedIPs");
        assertThatThrownBy(() -> ContractJson.parseStrictly("{\"name\":\"x\"} {}", PutDatabase.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContractJson.parseStrictly("", PutDatabase.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContractJson.parseStrictly("[1]", PutDatabase.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aKeyWithoutScopeIsADatabaseKey() {
        assertThat(new PutDatabase.Key("k", "p", null).effectiveScope()).isEqualTo(PutDatabase.Key.SCOPE_DATABASE);
        assertThat(new PutDatabase.Key("k", "p", " ").hasKnownScope()).isTrue();
        assertThat(new PutDatabase.Key("k", "p", "group").effectiveScope()).isEqualTo(PutDatabase.Key.SCOPE_GROUP);
        assertThat(new PutDatabase.Key("k", "p", "table").hasKnownScope()).isFalse();
    }

    /** A component that is null or an empty list in a full sample would be a field one side does not carry. */
    static void assertNoComponentIsEmpty(Record value) throws Exception {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            Object v = c.getAccessor().invoke(value);
            assertThat(v).as(value.getClass().getSimpleName() + "." + c.getName()).isNotNull();
            if (v instanceof java.util.Collection<?> list) {
                assertThat(list).as(c.getName()).isNotEmpty();
                for (Object o : list) {
                    if (o instanceof Record r) {
                        assertNoComponentIsEmpty(r);
                    }
                }
            } else if (v instanceof Record r) {
                assertNoComponentIsEmpty(r);
            }
        }
    }

    static Set<String> fieldNames(JsonNode object) {
        return new TreeSet<>(object.propertyNames());
    }

    static Set<String> components(Class<? extends Record> type) {
        Set<String> names = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            names.add(c.getName());
        }
        return names;
    }
}
