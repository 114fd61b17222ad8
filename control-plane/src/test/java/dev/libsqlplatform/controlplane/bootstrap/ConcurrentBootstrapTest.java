package dev.libsqlplatform.controlplane.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.libsqlplatform.controlplane.ControlPlaneApplication;
import dev.libsqlplatform.controlplane.apitoken.ApiTokenService;
import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.support.TestPostgres;
import dev.libsqlplatform.controlplane.user.UserService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Control planes sharing one PostgreSQL database may start at the same instant (a Helm Deployment with replicas): their
 * bootstraps of the same administrator, organization, group and token must all succeed and create each thing once.
 * Several bootstraps of a not-yet-existing administrator are released together here, as simultaneous starts would.
 */
class ConcurrentBootstrapTest {

    static TestPostgres postgres;
    static ConfigurableApplicationContext app;

    @BeforeAll
    static void start() throws Exception {
        postgres = TestPostgres.create();
        app = new SpringApplicationBuilder(ControlPlaneApplication.class).run(
                "--server.port=0",
                "--platform.data-dir=" + Files.createTempDirectory("cp-bootstrap"),
                "--platform.admin-token=first-admin-token",
                "--platform.service-secret=bootstrap-secret",
                "--spring.datasource.url=" + postgres.url,
                "--spring.datasource.username=" + postgres.username,
                "--spring.datasource.password=" + postgres.password,
                "--spring.main.banner-mode=off");
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.close();
        }
        if (postgres != null) {
            postgres.drop();
        }
    }

    @Test
    void simultaneousBootstrapsOfOneAdministratorAllSucceedAndCreateItOnce() throws Exception {
        PlatformProperties p = app.getBean(PlatformProperties.class);
        PlatformProperties racing = new PlatformProperties(p.dataDir(), "racing-admin-token", "racers", "racer",
                p.adminPlan(), p.baseDomain(), p.locations(), p.reconcileInterval(), p.workerTimeout(),
                p.workerCallTimeout(), p.serviceSecret(), p.serviceSecretFile(), p.cliRelease());
        int starts = 6;
        ExecutorService pool = Executors.newFixedThreadPool(starts);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> results = new ArrayList<>();
        try {
            for (int i = 0; i < starts; i++) {
                AdminBootstrap bootstrap = new AdminBootstrap(racing, app.getBean(UserService.class),
                        app.getBean(OrganizationService.class), app.getBean(GroupService.class),
                        app.getBean(ApiTokenService.class), app.getBean(JdbcClient.class),
                        app.getBean(TransactionTemplate.class));
                results.add(pool.submit(() -> {
                    go.await();
                    bootstrap.afterSingletonsInstantiated();
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> r : results) {
                r.get(); // a failed start throws here
            }
        } finally {
            pool.shutdownNow();
        }
        JdbcClient jdbc = app.getBean(JdbcClient.class);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM users WHERE username = 'racer'").query(Integer.class).single())
                .isEqualTo(1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM organizations WHERE slug = 'racers'").query(Integer.class).single())
                .isEqualTo(1);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM db_groups g JOIN organizations o ON o.id = g.organization_id "
                + "WHERE o.slug = 'racers' AND g.name = 'default'").query(Integer.class).single()).isEqualTo(1);
    }
}
