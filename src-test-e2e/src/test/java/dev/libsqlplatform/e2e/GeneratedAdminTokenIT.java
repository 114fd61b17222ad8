package dev.libsqlplatform.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What bin/run relies on: without PLATFORM_ADMIN_TOKEN the control plane generates the administrator's
 * token on first start, prints it once, keeps it in {@code <data-dir>/admin-token} with mode 0600, and
 * keeps accepting it after a restart without printing it again.
 */
class GeneratedAdminTokenIT {

    @Test
    void firstStartGeneratesPrintsAndStoresTheAdminToken() throws Exception {
        try (Platform platform = new Platform("generated-admin-token", null, false)) {
            try {
                platform.startControlPlane();
                Path file = platform.controlPlaneDataDir().resolve("admin-token");
                String token = Files.readString(file).strip();
                assertTrue(token.length() >= 20, "a generated token should be long, got " + token.length() + " chars");
                assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                        Files.getPosixFilePermissions(file), file + " must have mode 0600");

                HttpResponse<String> ok = platform.platformApi("GET", "/v1/organizations/default/databases", null);
                assertEquals(200, ok.statusCode(), "the generated token must be accepted: " + ok.body());

                Path log = platform.controlPlaneProcess().log();
                assertEquals(1, occurrences(Files.readString(log, StandardCharsets.UTF_8), token),
                        "the generated token is printed exactly once on first start");

                platform.stop();
                platform.startControlPlane();
                assertEquals(token, Files.readString(file).strip(), "a restart keeps the same token");
                assertEquals(1, occurrences(Files.readString(log, StandardCharsets.UTF_8), token),
                        "the token is not printed again on later starts");
                HttpResponse<String> again = platform.platformApi("GET", "/v1/organizations/default/databases", null);
                assertEquals(200, again.statusCode(), "the generated token survives a restart: " + again.body());
                assertFalse(Files.readString(log, StandardCharsets.UTF_8).contains(platform.serviceSecret()),
                        "the service secret never reaches the logs");
            } catch (Exception | Error e) {
                System.err.println(platform.logTails(150));
                throw e;
            }
        }
    }

    private static int occurrences(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length())) {
            count++;
        }
        return count;
    }
}
