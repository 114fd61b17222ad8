package dev.libsqlplatform.dataplane.replication;

import dev.libsqlplatform.dataplane.storage.FrameLog;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The offline-sync (v2) generations of a database, mapped onto its frame log: generation G is the log's snapshot at
 * commit frame {@code base} (what {@code /export/G} serves) and its frames {@code base+1..} numbered 1.. within G. A
 * compaction (a new snapshot) or a rebuilt log (a new log id) starts a new generation, numbered one higher, so a
 * client that finished G and moves on to G+1 (the client only ever counts up) lands on the image it reached.
 *
 * <p>The map is kept in {@code offline-generations} in the database's folder (beside the log, which a rebuild
 * deletes), one line {@code G logId base} per generation, appended and fsynced before a client is told about G. It is
 * brought up to date with the log on every v2 request; generations it skipped (two compactions between requests) are
 * simply never numbered: no client can have been told about them.
 */
final class Generations {
    static final String FILE = "offline-generations";

    /** One generation. */
    record Generation(long number, UUID logId, long base) {
    }

    private static final ConcurrentHashMap<Path, Object> LOCKS = new ConcurrentHashMap<>();

    private Generations() {
    }

    /** The generations of the database in {@code folder}, the last one being the log's current snapshot. */
    static List<Generation> sync(Path folder, FrameLog log) throws IOException {
        return sync(folder, log.logId(), log.startFrameNo() - 1);
    }

    /** The same, for a log {@code id} whose current snapshot is as of commit frame {@code base}. */
    static List<Generation> sync(Path folder, UUID id, long base) throws IOException {
        Path file = folder.resolve(FILE);
        synchronized (LOCKS.computeIfAbsent(file, k -> new Object())) {
            List<Generation> all = read(file);
            Generation last = all.isEmpty() ? null : all.get(all.size() - 1);
            if (last == null || !last.logId().equals(id) || last.base() != base) {
                Generation next = new Generation(last == null ? 1 : last.number() + 1, id, base);
                String line = next.number() + " " + id + " " + base + "\n";
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    if (ch.size() > 0) {
                        java.nio.ByteBuffer lastByte = java.nio.ByteBuffer.allocate(1);
                        ch.read(lastByte, ch.size() - 1);
                        if (lastByte.get(0) != '\n') {
                            line = "\n" + line; // a torn line must not swallow the new one
                        }
                    }
                    ch.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.US_ASCII)), ch.size());
                    ch.force(true);
                }
                all.add(next);
            }
            return all;
        }
    }

    private static List<Generation> read(Path file) throws IOException {
        List<Generation> all = new ArrayList<>();
        if (!Files.exists(file)) {
            return all;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                continue; // a torn last line: that generation was never announced
            }
            try {
                all.add(new Generation(Long.parseLong(f[0]), UUID.fromString(f[1]), Long.parseLong(f[2])));
            } catch (IllegalArgumentException torn) {
                // same
            }
        }
        return all;
    }

    static Generation find(List<Generation> all, long number) {
        for (Generation g : all) {
            if (g.number() == number) {
                return g;
            }
        }
        return null;
    }
}
