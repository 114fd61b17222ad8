package dev.libsqlplatform.controlplane.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written {@link DatabaseViewJson} writes exactly what Jackson writes from the record's annotations. */
class DatabaseViewJsonTest {

    private final JsonMapper jackson = JsonMapper.builder().build();
    private final JsonMapper handWritten = JsonMapper.builder().addModule(new DatabaseViewJson()).build();

    private static DatabaseView view(String workerStatus, String blockReason, boolean blocks, List<String> regions) {
        return new DatabaseView("db-1", "0b9c5f6e-1", "db-1-org.localhost", "db-1-org.localhost", blocks, !blocks,
                false, blocks, regions, "local", "default", "logical", "libsql", DatabaseView.VERSION, false, "", false,
                false, null, "ready", workerStatus, blockReason, null);
    }

    @Test
    void everyShapeIsWrittenAsJacksonWritesIt() {
        ReplicationView replication = new ReplicationView("log-1", 42, null, "2026-11-30T19:00:00Z", List.of(
                new ReplicationView.ReplicaView("10.0.0.1/abc", "2026-11-30T19:00:01Z", null, 0, null),
                new ReplicationView.ReplicaView("10.0.0.2/def", "2026-11-30T19:00:02Z", 41L, 3, 1L)));
        List<DatabaseView> shapes = List.of(
                view(null, "", false, List.of("local")),
                view("up", "organization \"o\": quota reached \u00e9\u4e2d\n\t\\ </script>", true, List.of("local")),
                view("down", "", true, List.of()),
                view("draining", "", false, null),
                view("up", null, false, List.of("a", "b")).withReplication(replication),
                view("up", "", false, List.of("local")).withReplication(
                        new ReplicationView("log-2", 0, "2026-11-30T18:00:00Z", null, List.of())));
        for (DatabaseView v : shapes) {
            String expected = jackson.writeValueAsString(v);
            assertThat(handWritten.writeValueAsString(v)).isEqualTo(expected);
            // inside the answers that carry it too
            assertThat(handWritten.writeValueAsString(List.of(v, v))).isEqualTo(jackson.writeValueAsString(List.of(v, v)));
        }
        assertThat(handWritten.writeValueAsString(shapes.get(0))).startsWith("{\"Name\":\"db-1\",\"DbId\":");
    }
}
