package dev.libsqlplatform.dataplane.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** This worker's id: {@code platform.worker.id}, else generated once and kept in {@code <data-dir>/worker-id}. */
@Component
public final class WorkerIdentity {
    private final String id;

    WorkerIdentity(WorkerProperties props) {
        if (props.id() != null && !props.id().isBlank()) {
            this.id = props.id().trim();
        } else {
            this.id = readOrCreate(props.dataDir().resolve("worker-id"));
        }
    }

    public String id() {
        return id;
    }

    private static String readOrCreate(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                return Files.readString(file).trim();
            }
            String generated = "w-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try {
                Files.writeString(file, generated, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.SYNC);
                return generated;
            } catch (FileAlreadyExistsException raced) {
                return Files.readString(file).trim();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create " + file, e);
        }
    }
}
