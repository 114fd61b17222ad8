package dev.libsqlplatform.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Two control planes and two workers as real processes on one PostgreSQL database: databases created through either
 * control plane land on both workers and answer {@code @libsql/client} through either worker's address (the other
 * worker forwards, batons included); a killed worker shows {@code down} in the API within the heartbeat timeout and
 * its databases answer {@code DATABASE_UNAVAILABLE} (503), not 401. Between the two, one worker is drained through
 * the Platform API while {@code @libsql/client} writes: its databases move with every acknowledged write.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {

    private static final Duration WORKER_TIMEOUT = Duration.ofSeconds(4);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final String ORG = "default";

    private static PostgresDatabase postgres;
    private static Path root;
    private static final String ADMIN_TOKEN = Platform.randomToken();
    private static final String SECRET = Platform.randomToken();
    private static final List<Node> NODES = new ArrayList<>();
    private static Node cp1;
    private static Node cp2;
    private static Node w1;
    private static Node w2;
    /** name → {token, worker} of the databases the scenario created. */
    private static final Map<String, String[]> DATABASES = new LinkedHashMap<>();

    /** One process of the cluster. */
    record Node(String name, int port, ManagedProcess process) {
        String url() {
            return "http://127.0.0.1:" + port;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        postgres = PostgresDatabase.create();
        root = Path.of(System.getProperty("e2e.workDir", "target/e2e")).toAbsolutePath()
                .resolve("scale-out-" + System.currentTimeMillis());
        Files.createDirectories(root.resolve("logs"));
        Path jars = Files.createDirectories(root.resolve("jars"));
        Path cpJar = Files.copy(Path.of(System.getProperty("e2e.controlPlaneJar")), jars.resolve("control-plane.jar"));
        Path wJar = Files.copy(Path.of(System.getProperty("e2e.dataPlaneJar")), jars.resolve("data-plane.jar"));
        // one after the other: the first creates the schema and the administrator, the second finds them
        cp1 = controlPlane("cp-1", cpJar);
        cp2 = controlPlane("cp-2", cpJar);
        // each worker beats to a different control plane: both see every worker through PostgreSQL
        w1 = worker("w-one", wJar, cp1);
        w2 = worker("w-two", wJar, cp2);
        waitForRegistration("w-one");
        waitForRegistration("w-two");
    }

    @AfterAll
    static void stopCluster() throws Exception {
        for (Node n : NODES) {
            n.process().stop(Duration.ofSeconds(20));
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void databasesCreatedThroughEitherControlPlaneLandOnBothWorkersAndAnswerThroughEither() throws Exception {
        // placement spreads by free capacity: alternate creates over both control planes until each worker has two
        for (int i = 0; DATABASES.size() < 8 && (count("w-one") < 2 || count("w-two") < 2); i++) {
            Node cp = i % 2 == 0 ? cp1 : cp2;
            String name = "spread-" + i;
            Http.Answer created = Http.send("POST", cp.url() + "/v1/organizations/" + ORG + "/databases", ADMIN_TOKEN,
                    null, "{\"name\":\"" + name + "\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(200);
            String ready = Waits.until(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
                Http.Answer a = Http.send("GET", cp.url() + "/v1/organizations/" + ORG + "/databases/" + name,
                        ADMIN_TOKEN, null, null);
                return "ready".equals(a.json().at("/database/state").asString()) ? null : a.toString();
            });
            assertThat(ready).as("database %s ready", name).isNull();
            Http.Answer token = Http.send("POST", (i % 2 == 0 ? cp2 : cp1).url() + "/v1/organizations/" + ORG
                    + "/databases/" + name + "/auth/tokens", ADMIN_TOKEN, null, null);
            DATABASES.put(name, new String[] {token.field("jwt"), workerOf(created.json().at("/database/DbId").asString())});
        }
        assertThat(count("w-one")).isGreaterThanOrEqualTo(2);
        assertThat(count("w-two")).isGreaterThanOrEqualTo(2);

        ArrayNode list = Http.JSON.createArrayNode();
        DATABASES.forEach((name, v) -> {
            ObjectNode o = list.addObject();
            o.put("name", name);
            o.put("token", v[0]);
            o.put("worker", v[1]);
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("WORKER_URLS", w1.url() + "," + w2.url());
        env.put("WORKER_IDS", "w-one,w-two");
        env.put("SCALE_DATABASES", Http.JSON.writeValueAsString(list));
        env.put("BASE_DOMAIN", "localhost");
        env.put("ORG", ORG);
        NodeTests.run("scale-out", root.resolve("logs"), env, "scale-out.test.mjs", "", logTails());

        // routing by hostname works through either worker too (group tokens can only route this way)
        for (String name : DATABASES.keySet()) {
            for (Node w : List.of(w1, w2)) {
                Http.Answer a = Http.send("POST", w.url() + "/v2/pipeline", DATABASES.get(name)[0],
                        name + "-" + ORG + ".localhost:" + w.port(),
                        "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT count(*) FROM t\"}}]}");
                assertThat(a.status()).as(a.toString()).isEqualTo(200);
                assertThat(a.json().at("/results/0/response/result/rows/0/0/value").asString()).isEqualTo("6");
            }
        }
        // the database's address allow-list sees the client's address through a forwarding worker, and only a
        // request carrying the service secret may name that address itself
        String[] some = DATABASES.values().iterator().next();
        String someName = DATABASES.keySet().iterator().next();
        Node hosting = "w-one".equals(some[1]) ? w1 : w2;
        Node notHosting = hosting == w1 ? w2 : w1;
        Http.Answer patched = Http.send("PATCH", cp1.url() + "/v1/organizations/" + ORG + "/databases/" + someName
                + "/configuration", ADMIN_TOKEN, null, "{\"allowed_ips\":[\"10.9.9.9/32\"]}");
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        String refused = Waits.until(Duration.ofSeconds(20), Duration.ofMillis(200),
                () -> status(pipeline(hosting, some[0], Map.of())) == 403 ? null : "allow-list not pushed yet");
        assertThat(refused).isNull();
        assertThat(status(pipeline(notHosting, some[0], Map.of()))).isEqualTo(403);
        assertThat(status(pipeline(hosting, some[0], Map.of("x-libsql-platform-forwarded", "guessed",
                "x-libsql-platform-forwarded-for", "10.9.9.9")))).isEqualTo(403);
        assertThat(status(pipeline(hosting, some[0], Map.of("x-libsql-platform-forwarded", SECRET,
                "x-libsql-platform-forwarded-for", "10.9.9.9")))).isEqualTo(200);
        Http.send("PATCH", cp1.url() + "/v1/organizations/" + ORG + "/databases/" + someName + "/configuration",
                ADMIN_TOKEN, null, "{\"allowed_ips\":[]}");
        assertThat(Waits.until(Duration.ofSeconds(20), Duration.ofMillis(200),
                () -> status(pipeline(notHosting, some[0], Map.of())) == 200 ? null : "allow-list not cleared")).isNull();
        // the forwarded-request counter names the hosting worker
        String metrics = Http.send("GET", notHosting.url() + "/actuator/prometheus", null, null, null).text();
        assertThat(metrics).contains("worker_forwarded_requests_total{outcome=\"forwarded\",worker=\"" + some[1] + "\"}");
    }

    @Test
    @Order(2)
    void drainingAWorkerMovesItsDatabasesWithEveryAcknowledgedWrite() throws Exception {
        // @libsql/client writes to every database of w-one (through both addresses) while w-one is drained
        ArrayNode list = Http.JSON.createArrayNode();
        DATABASES.forEach((name, v) -> {
            ObjectNode o = list.addObject();
            o.put("name", name);
            o.put("token", v[0]);
            o.put("worker", v[1]);
        });
        Map<String, String> env = new LinkedHashMap<>();
        env.put("WORKER_URLS", w1.url() + "," + w2.url());
        env.put("CONTROL_PLANE_URL", cp2.url());
        env.put("ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("DRAIN_WORKER", "w-one");
        env.put("SCALE_DATABASES", Http.JSON.writeValueAsString(list));
        NodeTests.run("scale-out drain", root.resolve("logs"), env, "drain.test.mjs", "", logTails());

        // every database now lives on w-two, as both control planes say; the drain shows in the API and the metric
        for (Map.Entry<String, String[]> e : DATABASES.entrySet()) {
            Http.Answer db = Http.send("GET", cp1.url() + "/v1/organizations/" + ORG + "/databases/" + e.getKey(),
                    ADMIN_TOKEN, null, null);
            assertThat(workerOf(db.json().at("/database/DbId").asString())).isEqualTo("w-two");
            e.getValue()[1] = "w-two";
        }
        Http.Answer view = Http.send("GET", cp1.url() + "/v1/workers/w-one", ADMIN_TOKEN, null, null);
        assertThat(view.json().at("/worker/drain/state").asString()).isEqualTo("drained");
        String metrics = Http.send("GET", cp1.url() + "/actuator/prometheus", null, null, null).text()
                + Http.send("GET", cp2.url() + "/actuator/prometheus", null, null, null).text();
        assertThat(metrics).containsPattern("platform_database_moves_completed_total [1-9]");
        // a worker that is not draining any more takes new databases again (the least loaded: it is empty)
        Http.Answer undrained = Http.send("DELETE", cp1.url() + "/v1/workers/w-one/drain", ADMIN_TOKEN, null, null);
        assertThat(undrained.status()).as(undrained.toString()).isEqualTo(200);
        Http.Answer created = Http.send("POST", cp1.url() + "/v1/organizations/" + ORG + "/databases", ADMIN_TOKEN,
                null, "{\"name\":\"after-drain\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(200);
        String id = created.json().at("/database/DbId").asString();
        assertThat(Waits.until(Duration.ofSeconds(30), Duration.ofMillis(100), () -> {
            Http.Answer a = Http.send("GET", cp1.url() + "/internal/v1/routes?id=" + id, SECRET, null, null);
            return a.status() == 200 && "w-one".equals(a.field("workerId")) ? null : a.toString();
        })).isNull();
        Http.Answer token = Http.send("POST", cp1.url() + "/v1/organizations/" + ORG + "/databases/after-drain/auth/tokens",
                ADMIN_TOKEN, null, null);
        DATABASES.put("after-drain", new String[] {token.field("jwt"), "w-one"});
    }

    @Test
    @Order(3)
    void aKilledWorkerIsDownInTheApiAndItsDatabasesAnswerUnavailableThroughTheOther() throws Exception {
        String onTwo = DATABASES.entrySet().stream().filter(e -> "w-two".equals(e.getValue()[1])).findFirst()
                .orElseThrow().getKey();
        String token = DATABASES.get(onTwo)[0];
        w2.process().kill();
        assertThat(w2.process().waitFor(Duration.ofSeconds(10))).isTrue();
        long killedAt = System.nanoTime();
        for (Node cp : List.of(cp1, cp2)) {
            String down = Waits.until(WORKER_TIMEOUT.plusSeconds(10), Duration.ofMillis(200), () -> {
                Http.Answer a = Http.send("GET", cp.url() + "/v1/organizations/" + ORG + "/databases/" + onTwo,
                        ADMIN_TOKEN, null, null);
                return "down".equals(a.json().at("/database/worker_status").asString()) ? null : a.toString();
            });
            assertThat(down).as("worker_status through %s", cp.name()).isNull();
            Http.Answer instances = Http.send("GET", cp.url() + "/v1/organizations/" + ORG + "/databases/" + onTwo
                    + "/instances", ADMIN_TOKEN, null, null);
            assertThat(instances.json().at("/instances/0/status").asString()).isEqualTo("down");
        }
        System.out.printf("worker down in the API %d ms after the kill (timeout %d ms)%n",
                (System.nanoTime() - killedAt) / 1_000_000, WORKER_TIMEOUT.toMillis());
        // the metric and the log say so too (one control plane marked it). Each instance refreshes its gauge from the
        // workers table once per monitor period, so cp1's may still lag the API by that period when cp2 marked it
        String metricLag = Waits.until(Duration.ofSeconds(10), Duration.ofMillis(200), () -> {
            String metrics = Http.send("GET", cp1.url() + "/actuator/prometheus", null, null, null).text();
            return metrics.contains("platform_workers{state=\"down\"} 1.0") ? null : "cp1's gauge not yet down";
        });
        assertThat(metricLag).isNull();
        String logs = Files.readString(root.resolve("logs/cp-1.log")) + Files.readString(root.resolve("logs/cp-2.log"));
        assertThat(logs).contains("worker w-two at " + w2.url() + " is DOWN");

        // SQL through the surviving worker: a typed 503, never 401
        Http.Answer sql = Http.send("POST", w1.url() + "/v2/pipeline", token, null,
                "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}");
        assertThat(sql.status()).as(sql.toString()).isEqualTo(503);
        assertThat(sql.field("code")).isEqualTo("DATABASE_UNAVAILABLE");
        assertThat(sql.contentType()).isEqualTo("application/json");
        // databases of the surviving worker still answer through it
        String onOne = DATABASES.entrySet().stream().filter(e -> "w-one".equals(e.getValue()[1])).findFirst()
                .orElseThrow().getKey();
        Http.Answer ok = Http.send("POST", w1.url() + "/v2/pipeline", DATABASES.get(onOne)[0], null,
                "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        // the surviving worker cannot be drained: its databases would have nowhere to go
        Http.Answer last = Http.send("POST", cp1.url() + "/v1/workers/w-one/drain", ADMIN_TOKEN, null, null);
        assertThat(last.status()).as(last.toString()).isEqualTo(409);
        assertThat(last.field("code")).isEqualTo("last_live_worker");
        // a token for no database at all is still a plain 401
        Http.Answer unknown = Http.send("POST", w1.url() + "/v2/pipeline", "not-a-token", null,
                "{\"baton\":null,\"requests\":[]}");
        assertThat(unknown.status()).isEqualTo(401);
    }

    // ---------------------------------------------------------------------------------------------------------

    private static Node controlPlane(String name, Path jar) throws Exception {
        int port = Platform.freePort();
        Path data = Files.createDirectories(root.resolve(name));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("PLATFORM_DATA_DIR", data.toString());
        env.put("PLATFORM_ADMIN_TOKEN", ADMIN_TOKEN);
        env.put("PLATFORM_SERVICE_SECRET", SECRET);
        env.put("PLATFORM_WORKER_TIMEOUT", WORKER_TIMEOUT.toSeconds() + "s");
        env.put("PLATFORM_RECONCILE_INTERVAL", "300ms");
        env.put("SPRING_DATASOURCE_URL", postgres.jdbcUrl());
        return start(name, port, jar, env);
    }

    private static Node worker(String id, Path jar, Node controlPlane) throws Exception {
        int port = Platform.freePort();
        Path data = Files.createDirectories(root.resolve(id));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("PLATFORM_WORKER_DATA_DIR", data.toString());
        env.put("PLATFORM_WORKER_ID", id);
        env.put("PLATFORM_WORKER_CONTROL_PLANE_URL", controlPlane.url());
        env.put("PLATFORM_WORKER_HEARTBEAT_INTERVAL", "500ms");
        env.put("PLATFORM_SERVICE_SECRET", SECRET);
        return start(id, port, jar, env);
    }

    private static Node start(String name, int port, Path jar, Map<String, String> env) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ManagedProcess p = ManagedProcess.start(name, List.of(java, "-Xmx384m", "-XX:TieredStopAtLevel=1", "-jar",
                jar.toString()), root, env, root.resolve("logs/" + name + ".log"));
        Node node = new Node(name, port, p);
        NODES.add(node);
        String last = Waits.until(START_TIMEOUT, Duration.ofMillis(250), () -> {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited with " + p.exitCode() + "\n" + p.tail(80));
            }
            try {
                Http.Answer a = Http.send("GET", node.url() + "/actuator/health", null, null, null);
                return a.status() == 200 ? null : a.toString();
            } catch (java.io.IOException e) {
                return e.toString();
            }
        });
        assertThat(last).as("%s healthy\n%s", name, p.tail(80)).isNull();
        return node;
    }

    private static void waitForRegistration(String workerId) {
        // a worker is registered once the control planes can route to it: probe through the metric of either
        String last = Waits.until(START_TIMEOUT, Duration.ofMillis(250), () -> {
            String m = Http.send("GET", cp1.url() + "/actuator/prometheus", null, null, null).text();
            return m.contains("platform_workers{state=\"up\"} " + (workerId.equals("w-one") ? "1.0" : "2.0"))
                    || m.contains("platform_workers{state=\"up\"} 2.0") ? null : "not yet: " + workerId;
        });
        assertThat(last).isNull();
    }

    private static java.net.http.HttpResponse<String> pipeline(Node worker, String token, Map<String, String> headers)
            throws Exception {
        java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(worker.url() + "/v2/pipeline"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"baton\":null,\"requests\":[{\"type\":\"execute\",\"stmt\":{\"sql\":\"SELECT 1\"}}]}"));
        headers.forEach(b::header);
        return HTTP.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static int status(java.net.http.HttpResponse<String> r) {
        return r.statusCode();
    }

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

    private static String workerOf(String databaseId) throws Exception {
        Http.Answer route = Http.send("GET", cp1.url() + "/internal/v1/routes?id=" + databaseId, SECRET, null, null);
        assertThat(route.status()).as(route.toString()).isEqualTo(200);
        return route.field("workerId");
    }

    private static long count(String workerId) {
        return DATABASES.values().stream().filter(v -> workerId.equals(v[1])).count();
    }

    private static IntFunction<String> logTails() {
        return lines -> {
            StringBuilder sb = new StringBuilder();
            for (Node n : NODES) {
                sb.append("----- ").append(n.name()).append('\n').append(n.process().tail(lines)).append('\n');
            }
            return sb.toString();
        };
    }
}
