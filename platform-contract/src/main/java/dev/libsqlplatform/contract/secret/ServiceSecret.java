package dev.libsqlplatform.contract.secret;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The secret shared by the control plane and its workers (docs/internals.md "Shared secret"): the configured value
 * ({@code PLATFORM_SERVICE_SECRET}), else the content of the shared file, which the first process to start creates.
 * Both sides resolve it here so that they cannot disagree on whitespace or lose a creation race differently.
 *
 * <p>Rules: a configured value that is null or blank means "use the file"; trailing whitespace (a newline left by an
 * editor or {@code echo}) is dropped from both the configured value and the file's content; the value is never
 * logged ({@link #toString()} masks it).
 */
public final class ServiceSecret {

    /** How long a reader waits for a file another process is still writing (only without hard links, see below). */
    private static final long EMPTY_FILE_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final byte[] secret;

    private ServiceSecret(String value) {
        this.secret = value.getBytes(StandardCharsets.UTF_8);
    }

    /** The configured value when set (not blank), else {@link #readOrCreate(Path) the file}. */
    public static ServiceSecret resolve(String configured, Path file) {
        if (configured != null && !configured.isBlank()) {
            return new ServiceSecret(configured.stripTrailing());
        }
        return new ServiceSecret(readOrCreate(file));
    }

    /** The secret as sent in {@code Authorization: Bearer}. */
    public String value() {
        return new String(secret, StandardCharsets.UTF_8);
    }

    /** Constant-time comparison with a presented secret (null never matches). */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "ServiceSecret[****]";
    }

    /**
     * The secret in {@code file}, created when absent: 32 random bytes, base64url without padding, mode 0600.
     *
     * <p>Creation is atomic: the value is written and fsynced into a private temporary file in the same directory,
     * which is then hard-linked to {@code file}. A link appears complete or not at all, and fails when {@code file}
     * already exists, so of two processes starting together exactly one wins and the other reads the winner's whole
     * file, never a half-written one. (Writing {@code file} itself with CREATE_NEW, as one side did, lets the loser
     * read it empty; a rename would let the loser replace the winner's secret after the winner started using it.)
     * File systems without hard links fall back to CREATE_NEW, and readers then wait a bounded time for content.
     */
    public static String readOrCreate(Path file) {
        Path target = file.toAbsolutePath();
        try {
            if (Files.exists(target)) {
                return readNonEmpty(target);
            }
            Path dir = target.getParent();
            Files.createDirectories(dir);
            String generated = generate();
            Path tmp = Files.createTempFile(dir, ".service-secret", ".tmp", ownerOnly());
            try {
                Files.writeString(tmp, generated, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
                Files.createLink(target, tmp);
                return generated;
            } catch (FileAlreadyExistsException lostRace) {
                return readNonEmpty(target);
            } catch (UnsupportedOperationException noHardLinks) {
                try {
                    Files.writeString(Files.createFile(target, ownerOnly()), generated, StandardOpenOption.WRITE,
                            StandardOpenOption.SYNC);
                    return generated;
                } catch (FileAlreadyExistsException lostRace) {
                    return readNonEmpty(target);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the service secret file " + file, e);
        }
    }

    static String generate() {
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }

    /**
     * The file's content without trailing whitespace. Empty content only happens while a process on a file system
     * without hard links (or an operator) is still writing it: wait for it, bounded.
     */
    private static String readNonEmpty(Path file) throws IOException {
        long deadline = System.nanoTime() + EMPTY_FILE_PATIENCE_NANOS;
        while (true) {
            String value = Files.readString(file).stripTrailing();
            if (!value.isEmpty()) {
                return value;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IOException("the service secret file is empty: " + file);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }
}
