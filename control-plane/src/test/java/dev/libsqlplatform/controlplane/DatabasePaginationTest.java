package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import dev.libsqlplatform.controlplane.support.Http;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/** {@code GET .../databases?limit&cursor}: pages in name order; without {@code limit}, Turso's shape unchanged. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabasePaginationTest {

    static final String TOKEN = "pagination-admin-token";
    static final String DBS = "/v1/organizations/default/databases";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-pages")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.service-secret", () -> "pagination-secret");
        r.add("platform.admin-plan", () -> "unlimited");
    }

    @LocalServerPort
    int port;

    @Test
    void pagesWalkEveryDatabaseOnceInNameOrder() {
        Http http = new Http(port, TOKEN);
        List<String> names = List.of("p-c", "p-a", "p-g", "p-e", "p-b", "p-f", "p-d");
        for (String n : names) {
            assertThat(http.post(DBS, "{\"name\":\"" + n + "\"}").status()).isEqualTo(200);
        }
        assertThat(http.post("/v1/organizations/default/groups", "{\"name\":\"other\",\"location\":\"local\"}").status())
                .isEqualTo(200);
        assertThat(http.post(DBS, "{\"name\":\"p-other\",\"group\":\"other\"}").status()).isEqualTo(200);

        JsonNode all = http.get(DBS).json();
        assertThat(all.has("next_cursor")).as("no pagination asked: Turso's shape").isFalse();
        assertThat(all.get("databases").size()).isEqualTo(8);

        List<String> walked = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = http.get(DBS + "?group=default&limit=3" + (cursor == null ? "" : "&cursor=" + cursor)).json();
            page.get("databases").forEach(d -> walked.add(d.get("Name").asString()));
            cursor = page.has("next_cursor") ? page.get("next_cursor").asString() : null;
            pages++;
        } while (cursor != null);
        assertThat(walked).containsExactly("p-a", "p-b", "p-c", "p-d", "p-e", "p-f", "p-g");
        assertThat(pages).isEqualTo(3);
        JsonNode exact = http.get(DBS + "?limit=8").json();
        assertThat(exact.get("databases").size()).isEqualTo(8);
        assertThat(exact.has("next_cursor")).isFalse();
        assertThat(http.get(DBS + "?limit=2&cursor=p-f").json().get("databases").get(0).get("Name").asString())
                .isEqualTo("p-g");
        assertThat(http.get(DBS + "?limit=5&cursor=zzz").json().get("databases").size()).isZero();
        assertThat(http.get(DBS + "?limit=1&group=nope").json().get("databases").size()).isZero();
    }

    @Test
    void badLimitsAreRefused() {
        Http http = new Http(port, TOKEN);
        for (String bad : List.of("0", "-1", "1001", "abc")) {
            Http.Response r = http.get(DBS + "?limit=" + bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().get("code").asString()).as(bad).isNotBlank();
        }
    }
}
