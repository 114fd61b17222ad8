package dev.libsqlplatform.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The contract against the embedded SQLite default (no spring.datasource.url). */
class SqliteApiTest extends AbstractApiContractTest {

    static final Path DATA;

    static {
        try {
            DATA = Files.createTempDirectory("cp-sqlite-api");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        commonProperties(r, DATA);
    }
}
