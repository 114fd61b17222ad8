package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/** The switch for JSON logs (README, "Logs"): {@code LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs} makes every line a JSON object. */
@ExtendWith(OutputCaptureExtension.class)
class JsonLogsTest {

    @TempDir
    Path dir;

    @Test
    void everyLineIsAJsonObjectWithTheUsualFields(CapturedOutput output) throws Exception {
        Worker w = new Worker(dir, "logging.structured.format.console=ecs", "logging.level.root=INFO");
        try {
            w.createDatabase("logged", "acme");
        } finally {
            w.close();
        }
        List<String> lines = output.getOut().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(lines).isNotEmpty();
        JsonNode first = Worker.JSON.readTree(lines.get(0));
        assertThat(first.has("@timestamp")).isTrue();
        assertThat(first.at("/log/level").asString()).isNotBlank();
        assertThat(first.has("message")).isTrue();
        for (String line : lines) {
            assertThat(Worker.JSON.readTree(line).isObject()).as(line).isTrue();
        }
    }
}
