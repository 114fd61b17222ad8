package dev.libsqlplatform.controlplane.dashboard;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The dashboard on the embedded SQLite metadata store (the zero-setup default). */
class SqliteDashboardWebTest extends AbstractDashboardWebTest {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) {
        commonProperties(r);
    }
}
