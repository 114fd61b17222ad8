package dev.libsqlplatform.dataplane.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** Reads and atomically writes {@code meta.json} (temp file + fsync + rename + directory fsync). */
final class MetaFiles {
    private static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private MetaFiles() {
    }

    static DatabaseMeta read(Path file) throws IOException {
        try {
            return JSON.readValue(Files.readAllBytes(file), DatabaseMeta.class);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IOException("malformed " + file + ": " + e.getOriginalMessage(), e);
        }
    }

    static void writeAtomically(Path file, DatabaseMeta meta) throws IOException {
        DurableFiles.writeAtomically(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    }

    static void fsyncDir(Path dir) {
        DurableFiles.fsyncDir(dir);
    }
}
