package dev.libsqlplatform.dataplane.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceSecretTest {
    @TempDir
    Path dir;

    @Test
    void concurrentFirstStartsAgreeOnOneOwnerOnlySecret() throws Exception {
        Path file = dir.resolve("sub").resolve("service-secret");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<String>> all = IntStream.range(0, 16)
                .mapToObj(i -> pool.submit(() -> ServiceSecret.readOrCreate(file))).toList();
        Set<String> seen = new HashSet<>();
        for (Future<String> f : all) {
            seen.add(f.get());
        }
        pool.shutdown();
        assertThat(seen).hasSize(1);
        assertThat(Files.readString(file).trim()).isEqualTo(seen.iterator().next());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing.map(p -> p.getFileName().toString())).containsExactly("service-secret");
        }
    }

    @Test
    void environmentValueWinsAndComparesExactly() {
        ServiceSecret s = new ServiceSecret(new ServiceSecretProperties("abc", dir.resolve("unused")));
        assertThat(s.matches("abc")).isTrue();
        assertThat(s.matches("abd")).isFalse();
        assertThat(s.matches(null)).isFalse();
        assertThat(Files.exists(dir.resolve("unused"))).isFalse();
    }
}
