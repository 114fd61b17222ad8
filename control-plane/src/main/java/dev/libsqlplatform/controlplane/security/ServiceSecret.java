package dev.libsqlplatform.controlplane.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;

import dev.libsqlplatform.controlplane.config.PlatformProperties;
import org.springframework.stereotype.Component;

/**
 * The secret shared with workers (docs/internals.md): {@code platform.service-secret}, else the content of
 * {@code platform.service-secret-file}, created when absent (32 random bytes, base64url, mode 0600, CREATE_NEW
 * so exactly one process wins; a loser reads the winner's file, waiting briefly until it is written).
 */
@Component
public class ServiceSecret {

    private final byte[] secret;

    ServiceSecret(PlatformProperties properties) {
        String value = properties.serviceSecret() != null ? properties.serviceSecret() : fromFile(properties.serviceSecretFile());
        this.secret = value.getBytes(StandardCharsets.UTF_8);
    }

    public String value() {
        return new String(secret, StandardCharsets.UTF_8);
    }

    /** Constant-time comparison. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8));
    }

    static String fromFile(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            if (!Files.exists(file)) {
                byte[] random = new byte[32];
                new SecureRandom().nextBytes(random);
                String value = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
                try (SeekableByteChannel ch = Files.newByteChannel(file,
                        EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SYNC),
                        ownerOnly())) {
                    ch.write(ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8)));
                    return value;
                } catch (FileAlreadyExistsException lostRace) {
                    // another process created it first: read theirs below
                }
            }
            for (int i = 0; i < 100; i++) {
                String value = Files.readString(file).trim();
                if (!value.isEmpty()) {
                    return value;
                }
                Thread.sleep(50);
            }
            throw new IllegalStateException("service secret file " + file + " stays empty");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the service secret file " + file, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the service secret", e);
        }
    }

    static FileAttribute<?>[] ownerOnly() {
        try {
            Set<String> views = java.nio.file.FileSystems.getDefault().supportedFileAttributeViews();
            if (views.contains("posix")) {
                return new FileAttribute<?>[]{PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
            }
        } catch (RuntimeException ignored) {
            // fall through
        }
        return new FileAttribute<?>[0];
    }

    @Override
    public String toString() {
        return "ServiceSecret[****]";
    }
}
