package dev.libsqlplatform.contract.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceSecretTest {
    @TempDir
    Path dir;

    @Test
    void theFirstStarterCreatesA32ByteBase64urlSecretReadableOnlyByItsOwner() throws Exception {
        Path file = dir.resolve("nested").resolve("service-secret");
        String created = ServiceSecret.resolve(null, file).value();
        assertThat(Base64.getUrlDecoder().decode(created)).hasSize(32);
        assertThat(created).doesNotContain("=");
        assertThat(Files.readString(file)).isEqualTo(created);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(ServiceSecret.resolve("  ", file).value()).as("blank configured value = use the file").isEqualTo(created);
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("service-secret");
        }
    }

    @Test
    void concurrentStartersAllReadTheWinnersWholeSecret() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path file = dir.resolve("race-" + round);
            int n = 8;
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    answers.add(pool.submit(() -> {
                        go.await();
                        return ServiceSecret.readOrCreate(file);
                    }));
                }
                go.countDown();
                Set<String> seen = new HashSet<>();
                for (Future<String> f : answers) {
                    seen.add(f.get());
                }
                assertThat(seen).as("round " + round).containsExactly(Files.readString(file));
                assertThat(Base64.getUrlDecoder().decode(seen.iterator().next())).hasSize(32);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void trailingWhitespaceIsDroppedFromTheConfiguredValueAndTheFile() throws Exception {
        Path file = dir.resolve("service-secret");
        Files.writeString(file, "from-file \n");
        assertThat(ServiceSecret.resolve(null, file).value()).isEqualTo("from-file");
        assertThat(ServiceSecret.resolve("configured\n", file).value()).isEqualTo("configured");
        assertThat(ServiceSecret.resolve("configured\n", file).matches("configured")).isTrue();
    }

    @Test
    void matchingIsExactAndTheSecretIsNeverPrinted() {
        ServiceSecret secret = ServiceSecret.resolve("s3cret", dir.resolve("unused"));
        assertThat(secret.matches("s3cret")).isTrue();
        assertThat(secret.matches("s3cre")).isFalse();
        assertThat(secret.matches(null)).isFalse();
        assertThat(secret.toString()).doesNotContain("s3cret");
        assertThat(dir.resolve("unused")).doesNotExist();
    }
}
