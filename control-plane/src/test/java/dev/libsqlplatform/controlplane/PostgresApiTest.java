package dev.libsqlplatform.controlplane;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;

import dev.libsqlplatform.controlplane.support.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The contract against a fresh PostgreSQL database (created for this class, dropped after it). */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PostgresApiTest extends AbstractApiContractTest {

    static TestPostgres postgres;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        postgres = TestPostgres.create();
        commonProperties(r, Files.createTempDirectory("cp-pg-api"));
        r.add("spring.datasource.url", () -> postgres.url);
        r.add("spring.datasource.username", () -> postgres.username);
        r.add("spring.datasource.password", () -> postgres.password);
    }

    @AfterAll
    static void dropDatabase() {
        if (postgres != null) {
            postgres.drop();
        }
    }
}
