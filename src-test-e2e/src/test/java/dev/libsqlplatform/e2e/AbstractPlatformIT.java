package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The end-to-end scenarios, run against one platform (control plane + one worker, real processes) per
 * subclass. Each JS file creates its own uniquely named databases, so the scenarios do not depend on
 * each other; the restart scenario runs last only because it restarts the processes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AbstractPlatformIT {

    protected Platform platform;

    /** The control plane's SPRING_DATASOURCE_URL, or null for the embedded SQLite default. */
    protected abstract String datasourceUrl() throws Exception;

    protected abstract String variant();

    protected void cleanUp() throws Exception {
    }

    @BeforeAll
    void startPlatform() throws Exception {
        platform = new Platform(variant(), datasourceUrl());
        try {
            platform.start();
        } catch (Exception | Error e) {
            System.err.println(platform.logTails(200));
            platform.close();
            cleanUp();
            throw e;
        }
        System.out.println("started " + platform);
    }

    @AfterAll
    void stopPlatform() throws Exception {
        try {
            if (platform != null) {
                platform.close();
            }
        } finally {
            cleanUp();
        }
    }

    @Test
    @Order(1)
    void officialSqlClient() throws Exception {
        NodeTests.run(platform, "sql-client.test.mjs", Map.of());
    }

    /** The same scenario file, unchanged, with the client given the worker's address as a ws:// URL. */
    @Test
    @Order(1)
    void officialSqlClientOverWebSocket() throws Exception {
        NodeTests.run(platform, "sql-client.test.mjs", Map.of("SQL_URL_SCHEME", "ws"));
    }

    @Test
    @Order(2)
    void officialPlatformApiClientAndBadInput() throws Exception {
        NodeTests.run(platform, "platform-api.test.mjs", Map.of());
    }

    @Test
    @Order(3)
    void adminTokenIsTheConfiguredOne() throws Exception {
        HttpResponse<String> ok = platform.platformApi("GET", "/v1/organizations/" + Platform.ORG + "/databases", null);
        assertEquals(200, ok.statusCode(), ok.body());
        assertTrue(ok.body().contains("\"databases\""), ok.body());
    }

    @Test
    @Order(4)
    void everyPlatformApiClientMethod() throws Exception {
        NodeTests.run(platform, "platform-api-methods.test.mjs", Map.of());
    }

    @Test
    @Order(5)
    void dataPlaneTokenMatrix() throws Exception {
        new DataPlaneTokenMatrix(platform).run();
    }

    /** The same matrix with every cell sent over Hrana over WebSocket. */
    @Test
    @Order(5)
    void dataPlaneTokenMatrixOverWebSocket() throws Exception {
        new DataPlaneTokenMatrix(platform, true).run();
    }

    @Test
    @Order(6)
    void platformApiRoleMatrix() throws Exception {
        new PlatformApiRoleMatrix(platform).run();
    }

    @Test
    @Order(8)
    void allowedIpsAndBlocksReachTheWorker() throws Exception {
        new IsolationScenario(platform).allowedIpsAndBlocksReachTheWorker();
    }

    @Test
    @Order(9)
    void hostnameLabelsAreUniqueAcrossOrganizations() throws Exception {
        new IsolationScenario(platform).hostnameLabelsAreUniqueAcrossOrganizations();
    }

    @Test
    @Order(7)
    void swaggerUiAndApiDocs() throws Exception {
        Http.Answer ui = Http.send("GET", platform.controlPlaneUrl() + "/swagger-ui.html", null, null, null);
        assertEquals(200, ui.status(), ui.toString());
        assertTrue(ui.contentType().startsWith("text/html"), ui.contentType());
        assertTrue(ui.text().contains("swagger-ui"), ui.toString());
        Http.Answer index = Http.send("GET", platform.controlPlaneUrl() + "/swagger-ui/index.html", null, null, null);
        assertEquals(200, index.status(), index.toString());
        assertTrue(index.contentType().startsWith("text/html"), index.contentType());
        Http.Answer docs = Http.send("GET", platform.controlPlaneUrl() + "/v3/api-docs", null, null, null);
        assertEquals(200, docs.status(), docs.toString());
        assertTrue(docs.contentType().startsWith("application/json"), docs.contentType());
        assertTrue(docs.json() != null && docs.json().path("openapi").asString().startsWith("3."), docs.toString());
        assertTrue(docs.json().path("paths").has("/v1/organizations/{org}/databases"),
                "/v3/api-docs lacks /v1/organizations/{org}/databases");
    }

    /** Organization storage quota through @libsql/client: BLOCKED past the total, reads work, DELETE/DROP free it. */
    @Test
    @Order(11)
    void storageQuotaOfTheOrganization() throws Exception {
        NodeTests.run(platform, "quotas.test.mjs", Map.of());
    }

    @Test
    @Order(12)
    void monthlyRowsWrittenQuotaBlocksEveryWorker() throws Exception {
        new QuotaScenario(platform).monthlyRowsWrittenQuotaBlocksEveryWorker();
    }

    @Test
    @Order(13)
    void usageSurvivesKillNineOfWorkerAndControlPlane() throws Exception {
        new QuotaScenario(platform).usageSurvivesKillNineOfWorkerAndControlPlane();
    }

    @Test
    @Order(20)
    void secretsAndTokensNeverReachTheLogs() throws Exception {
        for (Path log : platform.processLogs()) {
            String text = java.nio.file.Files.readString(log, java.nio.charset.StandardCharsets.UTF_8);
            assertFalse(text.contains(platform.serviceSecret()), log + " contains the service secret");
            assertFalse(text.contains(platform.adminToken()), log + " contains the admin token");
            // every database token of the scenarios starts with this base64url of {"alg":"EdDSA",...
            assertFalse(text.contains("eyJhbGciOiJFZERTQSI"), log + " contains a database token (JWT)");
        }
    }

    @Test
    @Order(10)
    void restartKeepsDatabasesTokensAndData() throws Exception {
        Path state = platform.root().resolve("restart-state.json");
        Map<String, String> env = Map.of("STATE_FILE", state.toString());
        NodeTests.run(platform, "restart-before.test.mjs", env);
        int[] codes = platform.stop();
        System.out.println("stopped " + platform + " with exit codes control-plane=" + codes[0] + " worker="
                + codes[1]);
        platform.start();
        NodeTests.run(platform, "restart-after.test.mjs", env);
    }
}
