package dev.libsqlplatform.dataplane.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Offline-sync generations: stable numbers across restarts, one more per new snapshot or log, torn lines ignored. */
class GenerationsTest {
    @TempDir
    Path dir;

    @Test
    void aNewSnapshotOrLogStartsTheNextGenerationAndNumbersSurviveRereading() throws Exception {
        UUID log = UUID.randomUUID();
        List<Generations.Generation> first = Generations.sync(dir, log, 0);
        assertThat(first).containsExactly(new Generations.Generation(1, log, 0));
        assertThat(Generations.sync(dir, log, 0)).isEqualTo(first); // unchanged: nothing appended
        List<Generations.Generation> compacted = Generations.sync(dir, log, 500);
        assertThat(compacted).extracting(Generations.Generation::number).containsExactly(1L, 2L);
        UUID rebuilt = UUID.randomUUID();
        List<Generations.Generation> rewritten = Generations.sync(dir, rebuilt, 0);
        assertThat(rewritten.get(2)).isEqualTo(new Generations.Generation(3, rebuilt, 0));
        // a generation number is never reused for other history, even when the new log restarts at frame 0
        assertThat(Generations.find(rewritten, 1).logId()).isEqualTo(log);
        assertThat(Generations.find(rewritten, 4)).isNull();
    }

    @Test
    void aTornOrGarbledLineIsIgnored() throws Exception {
        UUID log = UUID.randomUUID();
        Generations.sync(dir, log, 0);
        Files.writeString(dir.resolve(Generations.FILE), "2 not-a-uuid 9\n3 " + log, StandardCharsets.US_ASCII,
                StandardOpenOption.APPEND);
        List<Generations.Generation> all = Generations.sync(dir, log, 0);
        assertThat(all).containsExactly(new Generations.Generation(1, log, 0));
        // the next generation is appended on a line of its own and read back
        assertThat(Generations.sync(dir, log, 7)).containsExactly(new Generations.Generation(1, log, 0),
                new Generations.Generation(2, log, 7));
        assertThat(Generations.sync(dir, log, 7)).hasSize(2);
    }
}
