package dev.libsqlplatform.dataplane.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.stereotype.Component;

/** The service secret (never logged). Resolved once at start from the env/property or the shared file. */
@Component
public final class ServiceSecret {
    private final byte[] secret;

    ServiceSecret(ServiceSecretProperties props) {
        String value = props.serviceSecret();
        if (value == null || value.isBlank()) {
            value = readOrCreate(props.serviceSecretFile());
        }
        this.secret = value.trim().getBytes(StandardCharsets.UTF_8);
    }

    /** The secret as sent in {@code Authorization: Bearer}. */
    public String value() {
        return new String(secret, StandardCharsets.UTF_8);
    }

    /** Constant-time check of a presented secret. */
    public boolean matches(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
    }

    static String readOrCreate(Path file) {
        try {
            Path abs = file.toAbsolutePath();
            if (Files.exists(abs)) {
                return readNonEmpty(abs);
            }
            Files.createDirectories(abs.getParent());
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            String generated = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            Path tmp = Files.createTempFile(abs.getParent(), ".service-secret", ".tmp");
            try {
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // non-POSIX file system
                }
                Files.writeString(tmp, generated, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
                // A hard link is atomic and fails when the target exists: the loser of a race reads the winner's file.
                Files.createLink(abs, tmp);
                return generated;
            } catch (FileAlreadyExistsException lost) {
                return readNonEmpty(abs);
            } catch (UnsupportedOperationException noLinks) {
                try {
                    Files.writeString(abs, generated, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                            StandardOpenOption.SYNC);
                    setOwnerOnly(abs);
                    return generated;
                } catch (FileAlreadyExistsException lost) {
                    return readNonEmpty(abs);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the service secret file " + file, e);
        }
    }

    private static void setOwnerOnly(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // non-POSIX file system
        }
    }

    private static String readNonEmpty(Path p) throws IOException {
        // the winner writes the complete content before the link appears, so a short retry loop suffices
        for (int i = 0; i < 50; i++) {
            String s = Files.readString(p).trim();
            if (!s.isEmpty()) {
                return s;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IOException("service secret file is empty: " + p);
    }
}
