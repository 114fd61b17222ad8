package dev.libsqlplatform.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.controlplane.support.Http;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The contract against the embedded SQLite default (no spring.datasource.url), plus the OpenAPI drift check:
 * the running app's document must equal the committed {@code openapi/control-plane.json} (compared as parsed
 * JSON, without {@code servers} (random port) and generated operationIds). When the file does not exist it
 * is written pretty-printed and the test passes; {@code -Dopenapi.update=true} rewrites it. See openapi/README.md.
 */
class SqliteApiTest extends AbstractApiContractTest {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("cp-sqlite-api");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        commonProperties(r, DATA);
    }

    static final Path COMMITTED = Path.of("..", "openapi", "control-plane.json");

    @Test
    void runningAppMatchesTheCommittedDocument() throws IOException {
        Http.Response r = new Http(port, null).get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        JsonNode running = normalise(r.json());
        if (!Files.exists(COMMITTED) || Boolean.getBoolean("openapi.update")) {
            Files.createDirectories(COMMITTED.toAbsolutePath().getParent());
            Files.writeString(COMMITTED, Http.JSON.writer().with(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(running) + "\n");
            return;
        }
        JsonNode committed = normalise(Http.JSON.readTree(Files.readString(COMMITTED)));
        assertThat(running)
                .as("the API drifted from openapi/control-plane.json; review the change, then regenerate with "
                        + "mvn -pl control-plane test -Dtest=SqliteApiTest#runningAppMatchesTheCommittedDocument -Dopenapi.update=true")
                .isEqualTo(committed);
    }

    private static JsonNode normalise(JsonNode doc) {
        ObjectNode copy = (ObjectNode) doc.deepCopy();
        copy.remove("servers");
        stripOperationIds(copy);
        if (copy.get("tags") instanceof ArrayNode tags) {
            List<JsonNode> sorted = new ArrayList<>();
            tags.forEach(sorted::add);
            sorted.sort(Comparator.comparing(JsonNode::toString));
            ArrayNode replaced = copy.putArray("tags");
            sorted.forEach(replaced::add);
        }
        return copy;
    }

    /** operationIds are generated with order-dependent suffixes (list_1, list_2...): not part of the contract. */
    private static void stripOperationIds(JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove("operationId");
        }
        for (JsonNode child : node) {
            stripOperationIds(child);
        }
    }
}
