package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.support.TestPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Two control planes started at the same instant on one EMPTY PostgreSQL database (a Helm Deployment with two
 * replicas, first install): both start, and the administrator, its organization, group and token exist once.
 */
class BootstrapRaceTest {

    static final String TOKEN = "bootstrap-race-admin-token";

    @Test
    void twoControlPlanesBootstrappingOneEmptyDatabaseAtOnceBothStart() throws Exception {
        TestPostgres postgres = TestPostgres.create();
        List<ConfigurableApplicationContext> apps = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CyclicBarrier together = new CyclicBarrier(2);
            List<Future<ConfigurableApplicationContext>> starts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                starts.add(pool.submit(() -> {
                    String dir = Files.createTempDirectory("cp-race").toString();
                    together.await();
                    return new SpringApplicationBuilder(ControlPlaneApplication.class).run(
                            "--server.port=0",
                            "--platform.data-dir=" + dir,
                            "--platform.admin-token=" + TOKEN,
                            "--platform.service-secret=race-secret",
                            "--spring.datasource.url=" + postgres.url,
                            "--spring.datasource.username=" + postgres.username,
                            "--spring.datasource.password=" + postgres.password,
                            "--spring.main.banner-mode=off");
                }));
            }
            for (Future<ConfigurableApplicationContext> f : starts) {
                apps.add(f.get(5, TimeUnit.MINUTES));
            }
            for (ConfigurableApplicationContext app : apps) {
                int port = ((WebServerApplicationContext) app).getWebServer().getPort();
                assertThat(new Http(port, TOKEN).get("/v1/organizations/default/databases").status()).isEqualTo(200);
            }
            JdbcClient jdbc = apps.get(0).getBean(JdbcClient.class);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM users").query(Long.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM organizations").query(Long.class).single()).isEqualTo(1);
            assertThat(jdbc.sql("SELECT COUNT(*) FROM db_groups").query(Long.class).single()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            apps.forEach(ConfigurableApplicationContext::close);
            postgres.drop();
        }
    }
}
