package dev.libsqlplatform.dataplane.usage;

import java.io.IOException;
import java.io.UncheckedIOException;
import dev.libsqlplatform.dataplane.storage.DurableFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pending usage report on disk ({@code <data-dir>/usage-spool/pending.json}), and the follow-up drawn while it
 * waits ({@code next.json}): written (temp file, fsync, rename,
 * directory fsync) before it is first sent, deleted once the control plane acknowledged it, read back at start. A
 * worker killed at any moment after drawing a report therefore re-sends the very same report (same
 * {@code reportId}) after it restarts, and the control plane, which stores a {@code reportId} once, counts it once.
 */
final class UsageSpool {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final Path dir;
    private final Path pendingFile;
    private final Path followUpFile;

    UsageSpool(Path dir) {
        this.dir = dir;
        this.pendingFile = dir.resolve("pending.json");
        this.followUpFile = dir.resolve("next.json");
    }

    /** The pending report (or the follow-up) a previous run left, or null. */
    UsageReport load(boolean followUp) {
        Path file = followUp ? followUpFile : pendingFile;
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return JSON.readValue(Files.readAllBytes(file), UsageReport.class);
        } catch (IOException | tools.jackson.core.JacksonException e) {
            throw new IllegalStateException("cannot read the pending usage report " + file + ": " + e.getMessage()
                    + " (move it away to start without it)", e);
        }
    }

    void store(UsageReport report, boolean followUp) {
        Path file = followUp ? followUpFile : pendingFile;
        try {
            Files.createDirectories(dir);
            DurableFiles.writeAtomically(file, JSON.writeValueAsBytes(report));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool the usage report to " + file, e);
        }
    }

    void removePending() {
        try {
            if (Files.deleteIfExists(pendingFile)) {
                fsyncDir();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the acknowledged usage report " + pendingFile, e);
        }
    }

    /** The follow-up becomes the pending report (after the previous one was acknowledged). */
    void promoteFollowUp() {
        try {
            Files.move(followUpFile, pendingFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDir();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot promote the follow-up usage report " + followUpFile, e);
        }
    }

    private void fsyncDir() {
        DurableFiles.fsyncDir(dir);
    }
}
