package dev.libsqlplatform.dataplane.move;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.MoveDatabase;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.FrameLog;
import dev.libsqlplatform.dataplane.storage.LabelConflictException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The target side of a move: pulls a database from the source worker into {@code dbs/.import-<id>/} and, once it has
 * reached the source's fenced commit, installs it ({@link DatabaseRegistry#install}). The copy is the source's frame
 * log replayed as an embedded replica would: the snapshot's pages, then every frame's page written at its place and
 * the file cut to the commit's size at each commit frame, so the file equals the source's database as of the last
 * commit applied. Its position ({@code position}: source log id, last frame applied, last commit) is kept beside the
 * file, so a second call (the final catch-up) pulls only the frames written since, and a restart resumes.
 *
 * <p>Invariant: a database is installed only at exactly the fenced commit; a copy past it (the source's fence was lost
 * and it accepted writes) or from another log is discarded and the call fails, so a route never switches to a copy
 * that misses an acknowledged write.
 */
@Component
public class Importer {
    private static final Logger log = LoggerFactory.getLogger(Importer.class);
    /** Frames asked for per call (16 MB). */
    public static final int FRAMES_PER_CALL = 4096;

    private final DatabaseRegistry registry;
    private final ServiceSecret secret;
    private final HttpClient http;
    private final Map<String, Object> locks = new ConcurrentHashMap<>();
    /** Databases this process installed from a move, and at which fenced commit (to confirm a repeated final call). */
    private final Map<String, Long> installedAt = new ConcurrentHashMap<>();

    Importer(DatabaseRegistry registry, ServiceSecret secret) {
        this.registry = registry;
        this.secret = secret;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private record Position(String logId, long applied, long committed) {
        static Position read(Path file) throws IOException {
            if (!Files.exists(file)) {
                return null;
            }
            String[] p = Files.readString(file).trim().split(" ");
            return p.length == 3 ? new Position(p[0], Long.parseLong(p[1]), Long.parseLong(p[2])) : null;
        }

        void write(Path file) throws IOException {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, logId + " " + applied + " " + committed);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    public MoveDatabase.Imported importFrom(String id, MoveDatabase.Import body, DatabaseMeta meta)
            throws IOException, SQLException, LabelConflictException, MoveException {
        synchronized (locks.computeIfAbsent(id, k -> new Object())) {
            if (registry.meta(id) != null) {
                // a copy installed by an earlier call (the control plane only imports to a worker that is not the
                // database's route). The very same final catch-up again (its answer was lost) may be confirmed;
                // anything else means the source went on after that install (it was unfenced and fenced again), so
                // the copy is stale: drop it and copy anew, never answer "ready" for it
                Long at = installedAt.get(id);
                if (body.until() != null && body.until().equals(at)) {
                    registry.put(meta);
                    return new MoveDatabase.Imported(id, at, PutDatabase.State.READY);
                }
                log.warn("database {}: dropping a copy installed here at frame {} that is not the route; copying again",
                        id, at);
                registry.delete(id);
                installedAt.remove(id);
            }
            Path dir = registry.stagingDir(id);
            Files.createDirectories(dir);
            Path file = dir.resolve("data.db");
            Path positionFile = dir.resolve("position");
            String source = body.source().endsWith("/") ? body.source().substring(0, body.source().length() - 1)
                    : body.source();
            Position pos = Position.read(positionFile);
            if (pos == null || !Files.exists(file)) {
                pos = snapshot(source, id, file);
            }
            Position next = catchUp(source, id, file, pos);
            if (next == null) {
                // the source's log starts after our position (compacted, or a new log): copy its snapshot again
                next = catchUp(source, id, file, snapshot(source, id, file));
                if (next == null) {
                    throw new MoveException("the source's frame log of " + id + " moved on twice during the copy");
                }
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            next.write(positionFile);
            if (body.until() == null) {
                log.info("database {} copied from {} up to frame {} (staged)", id, source, next.committed());
                return new MoveDatabase.Imported(id, next.committed(), MoveDatabase.Imported.COPYING);
            }
            if (next.committed() != body.until() || next.applied() != next.committed()) {
                discard(dir);
                throw new MoveException("the copy of " + id + " reached frame " + next.committed() + " (applied "
                        + next.applied() + "), not the fenced commit " + body.until() + ": discarded, copy again");
            }
            registry.install(meta, file);
            installedAt.put(id, next.committed());
            discard(dir);
            locks.remove(id);
            log.info("database {} moved here from {} at frame {}", id, source, next.committed());
            return new MoveDatabase.Imported(id, next.committed(), PutDatabase.State.READY);
        }
    }

    /** Drops a staged copy (a failed or finished move). */
    public void discard(String id) throws IOException {
        Path dir = registry.stagingDir(id);
        if (dir != null) {
            synchronized (locks.computeIfAbsent(id, k -> new Object())) {
                discard(dir);
            }
        }
    }

    private static void discard(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }

    private Position snapshot(String source, String id, Path file) throws IOException, MoveException {
        HttpResponse<InputStream> r = get(source + InternalApi.DATABASES + "/" + id + InternalApi.SNAPSHOT);
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw failure("snapshot", r.statusCode(), in);
            }
            long base = Long.parseLong(r.headers().firstValue(InternalApi.FRAME_NO).orElseThrow());
            String logId = r.headers().firstValue(InternalApi.LOG_ID).orElseThrow();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                byte[] buf = new byte[FrameLog.PAGE * 16];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    ch.write(ByteBuffer.wrap(buf, 0, n));
                }
            }
            return new Position(logId, base, base);
        }
    }

    /** Applies every frame the source has after {@code pos}; null when the source needs us to take its snapshot. */
    private Position catchUp(String source, String id, Path file, Position pos) throws IOException, MoveException {
        Position at = pos;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            while (true) {
                HttpResponse<InputStream> r = get(source + InternalApi.DATABASES + "/" + id + InternalApi.FRAMES
                        + "?from=" + (at.applied() + 1) + "&logId=" + at.logId());
                try (InputStream in = r.body()) {
                    if (r.statusCode() == 409) {
                        String answer = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
                        if (answer.contains("NEED_SNAPSHOT")) {
                            return null;
                        }
                        throw new MoveException("frames of " + id + " from " + source + ": 409 " + answer);
                    }
                    if (r.statusCode() != 200) {
                        throw failure("frames", r.statusCode(), in);
                    }
                    byte[] frame = new byte[FrameLog.FRAME];
                    int frames = 0;
                    while (in.readNBytes(frame, 0, frame.length) == frame.length) {
                        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
                        long frameNo = b.getLong(0);
                        if (frameNo != at.applied() + 1) {
                            throw new MoveException("frames of " + id + " out of order: got " + frameNo + " after "
                                    + at.applied());
                        }
                        int pageNo = b.getInt(16);
                        int sizeAfter = b.getInt(20);
                        ch.write(ByteBuffer.wrap(frame, 24, FrameLog.PAGE), (long) (pageNo - 1) * FrameLog.PAGE);
                        long committed = at.committed();
                        if (sizeAfter != 0) {
                            ch.truncate((long) sizeAfter * FrameLog.PAGE);
                            committed = frameNo;
                        }
                        at = new Position(at.logId(), frameNo, committed);
                        frames++;
                    }
                    if (frames == 0) {
                        return at;
                    }
                }
            }
        }
    }

    private HttpResponse<InputStream> get(String url) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).GET().timeout(Duration.ofMinutes(5))
                .header("Authorization", "Bearer " + secret.value()).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + url);
        }
    }

    private static MoveException failure(String what, int status, InputStream in) throws IOException {
        String answer = new String(in.readNBytes(2048), StandardCharsets.UTF_8);
        return new MoveException(what + " answered " + status + ": " + answer);
    }
}
