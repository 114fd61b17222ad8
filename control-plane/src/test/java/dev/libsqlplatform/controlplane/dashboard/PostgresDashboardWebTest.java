package dev.libsqlplatform.controlplane.dashboard;

import dev.libsqlplatform.controlplane.support.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The dashboard on a fresh PostgreSQL database (created for this class, dropped after it). */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class PostgresDashboardWebTest extends AbstractDashboardWebTest {

    static TestPostgres postgres;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        postgres = TestPostgres.create();
        commonProperties(r);
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
