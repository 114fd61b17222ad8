package dev.libsqlplatform.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseKeys;
import dev.libsqlplatform.controlplane.dbtoken.GroupKeys;
import dev.libsqlplatform.controlplane.support.Http;
import dev.libsqlplatform.controlplane.support.StandInWorker;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * What a worker receives (docs/internals.md "Token lifecycle and usage"): group keys with scopes, groupId,
 * revokedTokenIds after single-token revocation, new keys after database and group rotation, blocks and maxBytes
 * after a configuration PATCH — each pushed within the reconcile interval.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerPushTest {

    static final String TOKEN = "push-admin-token";
    static final String SECRET = "push-secret";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry r) throws IOException {
        r.add("platform.data-dir", Files.createTempDirectory("cp-push")::toString);
        r.add("platform.admin-token", () -> TOKEN);
        r.add("platform.service-secret", () -> SECRET);
        r.add("platform.reconcile-interval", () -> "200ms");
        r.add("platform.worker-call-timeout", () -> "2s");
    }

    @LocalServerPort
    int port;
    @Autowired
    DatabaseKeys keys;
    @Autowired
    dev.libsqlplatform.controlplane.database.DatabaseRepository databases;
    @Autowired
    dev.libsqlplatform.controlplane.group.GroupService groups;
    @Autowired
    GroupKeys groupKeys;
    @Autowired
    dev.libsqlplatform.controlplane.organization.OrganizationService organizations;
    @Autowired
    dev.libsqlplatform.controlplane.user.UserService users;

    @Test
    void groupKeysScopesRevocationsAndRotationsReachTheWorker() throws Exception {
        Http http = new Http(port, TOKEN);
        String base = "/v1/organizations/default";
        try (StandInWorker worker = new StandInWorker(0)) {
            assertThat(new Http(port, SECRET).post("/internal/v1/workers/heartbeat",
                    "{\"id\":\"w-push\",\"url\":\"" + worker.url() + "\",\"capacity\":100,\"databases\":0}").status()).isEqualTo(200);
            String a = http.post(base + "/databases", "{\"name\":\"a\"}").json().at("/database/DbId").asString();
            String b = http.post(base + "/databases", "{\"name\":\"b\"}").json().at("/database/DbId").asString();
            String groupId = http.get(base + "/groups/default").json().at("/group/uuid").asString();

            JsonNode put = last(worker, a);
            assertThat(put.get("groupId").asString()).isEqualTo(groupId);
            List<String> scopes = new ArrayList<>();
            put.get("keys").forEach(k -> scopes.add(k.get("scope").asString()));
            assertThat(scopes).containsExactly("database", "group");
            assertThat(put.at("/keys/0/kid").asString()).isEqualTo(keys.list(a).get(0).id());
            String groupKid = groupKeys.list(groupId).get(0).id();
            assertThat(put.at("/keys/1/kid").asString()).isEqualTo(groupKid);
            assertThat(put.get("revokedTokenIds")).isEmpty();

            // a group token is signed with the group key; revoking it reaches every database of the group
            String groupJwt = http.post(base + "/groups/default/auth/tokens", null).json().get("jwt").asString();
            String header = new String(java.util.Base64.getUrlDecoder().decode(groupJwt.split("\\.")[0]));
            assertThat(header).contains("\"kid\":\"" + groupKid + "\"");
            assertThat(AbstractApiContractTest.verify(groupKeys.list(groupId).get(0).publicKey(), groupJwt.split("\\."))).isTrue();
            String groupJti = AbstractApiContractTest.claims(groupJwt).get("jti").asString();
            String dbJwt = http.post(base + "/databases/a/auth/tokens?expiration=1h", null).json().get("jwt").asString();
            String dbJti = AbstractApiContractTest.claims(dbJwt).get("jti").asString();
            assertThat(http.delete(base + "/groups/default/auth/tokens/" + groupJti).status()).isEqualTo(200);
            assertThat(http.delete(base + "/databases/a/auth/tokens/" + dbJti).status()).isEqualTo(200);
            await(() -> revoked(last(worker, a)).containsAll(List.of(groupJti, dbJti))
                    && revoked(last(worker, b)).equals(List.of(groupJti)));

            // group rotate: new group key AND new database keys for every database of the group
            String oldA = keys.list(a).get(0).id();
            assertThat(http.post(base + "/groups/default/auth/rotate", null).body()).isEqualTo("{}");
            String newGroupKid = groupKeys.list(groupId).get(0).id();
            assertThat(newGroupKid).isNotEqualTo(groupKid);
            await(() -> {
                JsonNode pa = last(worker, a);
                JsonNode pb = last(worker, b);
                return pa.at("/keys/1/kid").asString().equals(newGroupKid) && pb.at("/keys/1/kid").asString().equals(newGroupKid)
                        && !pa.at("/keys/0/kid").asString().equals(oldA) && pa.get("keys").size() == 2;
            });
            assertThat(AbstractApiContractTest.verify(groupKeys.list(groupId).get(0).publicKey(), groupJwt.split("\\."))).isFalse();

            // configuration: blocks and size limit reach the worker
            http.send("PATCH", base + "/databases/b/configuration", "{\"block_reads\":true,\"size_limit\":\"1mb\"}", "application/json");
            await(() -> {
                JsonNode pb = last(worker, b);
                return pb.get("blockReads").asBoolean() && pb.get("maxBytes").asLong() == 1_000_000L && !pb.get("blockWrites").asBoolean();
            });

            // allowed_ips and the block reason reach the worker; clearing them reaches it too
            Http.Response ips = http.send("PATCH", base + "/databases/b/configuration",
                    "{\"allowed_ips\":[\"10.0.0.0/8\",\" 2001:db8::1 \"],\"block_reads\":false,\"block_writes\":true,\"size_limit\":\"0\"}",
                    "application/json");
            assertThat(ips.status()).as(ips.body()).isEqualTo(200);
            assertThat(ips.json().get("allowed_ips").toString()).isEqualTo("[\"10.0.0.0/8\",\"2001:db8::1\"]");
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode pb = last(worker, b);
                assertThat(pb.get("allowedIps").toString()).isEqualTo("[\"10.0.0.0/8\",\"2001:db8::1\"]");
                assertThat(pb.get("blockReason").asString()).isEqualTo("block_writes is set in the database's configuration");
                // without a size_limit, the organization's storage quota is the cap: the worker names it
                assertThat(pb.get("storageLimitReason").asString()).contains("storage quota of 9000000000 bytes");
            });
            assertContract(last(worker, b), lastPut(worker, b));
            Http.Response cleared = http.send("PATCH", base + "/databases/b/configuration",
                    "{\"allowed_ips\":null,\"block_writes\":false}", "application/json");
            assertThat(cleared.json().get("allowed_ips")).isEmpty();
            Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode pb = last(worker, b);
                assertThat(pb.get("allowedIps")).isEmpty();
                assertThat(pb.get("blockReason").isNull()).isTrue();
                assertThat(pb.get("blockWrites").asBoolean()).isFalse();
            });
            // values a worker would refuse are refused here, before they could block the database's pushes
            for (String bad : List.of("\"example.com\"", "\"10.0.0.0/33\"", "\"300.1.1.1\"", "\"\"", "1")) {
                Http.Response r = http.send("PATCH", base + "/databases/b/configuration", "{\"allowed_ips\":[" + bad + "]}",
                        "application/json");
                assertThat(r.status()).as(bad + ": " + r.body()).isEqualTo(400);
                assertThat(r.json().get("code").asString()).isIn("invalid_allowed_ips", "bad_request");
            }
            assertThat(http.get(base + "/databases/b/configuration").json().get("allowed_ips")).isEmpty();

            // group transfer: the databases' organization (hence their <db>-<org> label) reaches the worker
            String target = "push-target";
            organizations.ensureOrganization(target, users.findByUsername("admin").orElseThrow().id(), "unlimited");
            assertThat(http.post(base + "/groups/default/rename", "{\"Name\":\"moved\"}").status()).isEqualTo(200);
            Http.Response moved = http.post(base + "/groups/moved/transfer", "{\"organization\":\"" + target + "\"}");
            assertThat(moved.status()).as(moved.body()).isEqualTo(200);
            await(() -> target.equals(last(worker, a).get("organization").asString())
                    && target.equals(last(worker, b).get("organization").asString()));
            assertThat(last(worker, a).get("name").asString()).isEqualTo("a");
            assertThat(last(worker, a).get("groupId").asString()).isEqualTo(groupId);
            assertThat(worker.refused).as("PUT bodies that are not the contract's").isEmpty();
        }
    }

    /**
     * The control plane's side of docs/contracts/worker-put-database.json (the data plane's InternalPutContractTest
     * checks the worker's side, platform-contract's PutDatabaseContractTest the sample against the shared record):
     * the PUT carries exactly the sample's fields, and for a database with a group, keys, a revoked token, a block
     * and an allow-list (database b here) the control plane fills every component of the contract's
     * {@link PutDatabase}: a component it stopped writing would be null or empty here.
     */
    private static void assertContract(JsonNode json, PutDatabase put) throws Exception {
        JsonNode sample = Http.JSON.readTree(Files.readString(Path.of("..", "docs", "contracts", "worker-put-database.json")));
        assertThat(new TreeSet<>(json.propertyNames())).isEqualTo(new TreeSet<>(sample.propertyNames()));
        assertThat(new TreeSet<>(json.get("keys").get(0).propertyNames()))
                .isEqualTo(new TreeSet<>(sample.get("keys").get(0).propertyNames()));
        assertFilled(put);
    }

    private static void assertFilled(Record value) throws Exception {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            Object v = c.getAccessor().invoke(value);
            assertThat(v).as(value.getClass().getSimpleName() + "." + c.getName() + " is written").isNotNull();
            if (v instanceof Collection<?> list) {
                assertThat(list).as(c.getName() + " is written").isNotEmpty();
                for (Object o : list) {
                    if (o instanceof Record r) {
                        assertFilled(r);
                    }
                }
            }
        }
    }

    @Test
    void aLabelConflictOnTheWorkerKeepsTheDatabasePendingAndIsRecorded() throws Exception {
        Http http = new Http(port, TOKEN);
        var org = organizations.ensureOrganization("push-conflict", users.findByUsername("admin").orElseThrow().id(), "unlimited");
        groups.ensureDefault(org.id());
        String base = "/v1/organizations/" + org.slug();
        try (StandInWorker worker = new StandInWorker(0)) {
            assertThat(new Http(port, SECRET).post("/internal/v1/workers/heartbeat",
                    "{\"id\":\"w-conflict\",\"url\":\"" + worker.url() + "\",\"capacity\":100,\"databases\":0}").status()).isEqualTo(200);
            worker.refuseLabelOf("clash");
            Http.Response created = http.post(base + "/databases", "{\"name\":\"clash\"}");
            assertThat(created.status()).as(created.body()).isEqualTo(200);
            String id = created.json().at("/database/DbId").asString();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> worker.callsFor(id).size() >= 3);
            assertThat(http.get(base + "/databases/clash").json().at("/database/state").asString()).isEqualTo("provisioning");
            assertThat(databases.findById(id).orElseThrow().lastError()).contains("409").contains("LABEL_CONFLICT");
            worker.acceptLabelOf("clash");
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                    "ready".equals(http.get(base + "/databases/clash").json().at("/database/state").asString()));
            assertThat(databases.findById(id).orElseThrow().lastError()).isNull();
        }
    }

    private static List<String> revoked(JsonNode put) {
        List<String> out = new ArrayList<>();
        put.get("revokedTokenIds").forEach(n -> out.add(n.asString()));
        return out;
    }

    private static PutDatabase lastPut(StandInWorker worker, String databaseId) {
        List<StandInWorker.Call> calls = worker.callsFor(databaseId);
        return calls.get(calls.size() - 1).put();
    }

    private static JsonNode last(StandInWorker worker, String databaseId) {
        List<StandInWorker.Call> calls = worker.callsFor(databaseId);
        return Http.JSON.readTree(calls.get(calls.size() - 1).body());
    }

    /** Waits for the reconciler's next push to the stand-in worker. */
    private static void await(Callable<Boolean> condition) {
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(condition);
    }
}
