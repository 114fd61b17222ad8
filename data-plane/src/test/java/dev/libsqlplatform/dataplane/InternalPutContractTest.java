package dev.libsqlplatform.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import dev.libsqlplatform.contract.hostname.HostnameLabel;
import dev.libsqlplatform.contract.internalapi.ContractJson;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import java.lang.reflect.RecordComponent;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker's side of the control plane → worker PUT contract ({@code docs/contracts/worker-put-database.json},
 * whose other side is the control plane's WorkerPushTest): every field of the shared sample is a component of the
 * contract's {@link PutDatabase}, and each lands in the stored metadata. Plus the hostname-label rule: a label held by one database is
 * never re-pointed to another by a put.
 */
class InternalPutContractTest {
    static final Path SAMPLE = Path.of("..", "docs", "contracts", "worker-put-database.json");

    @TempDir
    static Path dir;
    static Worker w;

    @BeforeAll
    static void start() {
        w = new Worker(dir);
    }

    @AfterAll
    static void stop() {
        w.close();
    }

    private HttpResponse<String> put(String id, String body) throws Exception {
        return w.send("PUT", "/internal/v1/databases/" + id, body, "Bearer " + Worker.SECRET, null);
    }

    private static DatabaseRegistry registry() {
        return w.ctx.getBean(DatabaseRegistry.class);
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.propertyNames().forEach(names::add);
        return names;
    }

    private static Set<String> components(Class<? extends Record> type) {
        Set<String> names = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            names.add(c.getName());
        }
        return names;
    }

    @Test
    void everyFieldOfTheSharedSampleIsParsedAndStored() throws Exception {
        JsonNode sample = Worker.JSON.readTree(Files.readString(SAMPLE));
        assertThat(components(PutDatabase.class)).as("the contract's PUT body vs " + SAMPLE).isEqualTo(fieldNames(sample));
        assertThat(components(PutDatabase.Key.class)).isEqualTo(fieldNames(sample.get("keys").get(0)));

        String id = UUID.randomUUID().toString();
        HttpResponse<String> r = put(id, sample.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        DatabaseMeta meta = registry().meta(id);
        assertThat(meta.name()).isEqualTo(sample.get("name").asString());
        assertThat(meta.organization()).isEqualTo(sample.get("organization").asString());
        assertThat(meta.groupId()).isEqualTo(sample.get("groupId").asString());
        assertThat(meta.maxBytes()).isEqualTo(sample.get("maxBytes").asLong());
        assertThat(meta.blockReads()).isEqualTo(sample.get("blockReads").asBoolean());
        assertThat(meta.blockWrites()).isEqualTo(sample.get("blockWrites").asBoolean());
        assertThat(meta.blockReason()).isEqualTo(sample.get("blockReason").asString());
        assertThat(meta.allowedIps()).containsExactlyElementsOf(strings(sample.get("allowedIps")));
        assertThat(meta.storageLimitReason()).isEqualTo(sample.get("storageLimitReason").asString());
        assertThat(meta.revokedTokenIds()).containsExactlyElementsOf(strings(sample.get("revokedTokenIds")));
        assertThat(meta.keys()).hasSize(sample.get("keys").size());
        for (int i = 0; i < meta.keys().size(); i++) {
            JsonNode k = sample.get("keys").get(i);
            assertThat(meta.keys().get(i)).isEqualTo(new DatabaseMeta.Key(k.get("kid").asString(),
                    k.get("publicKey").asString(), k.get("scope").asString()));
        }
        assertThat(registry().idForLabel("shop-acme")).isEqualTo(id);
        assertThat(meta.label()).isEqualTo(HostnameLabel.of(meta.name(), meta.organization()));
        // every component of the contract's body is read: the stored metadata gives the whole body back, so a
        // component the worker stopped reading fails here (the control plane's WorkerPushTest: every one is written)
        assertThat(asPut(meta)).isEqualTo(ContractJson.parseStrictly(sample.toString(), PutDatabase.class));
        // survives a restart of the registry: it is what meta.json holds
        assertThat(Files.readString(dir.resolve("dbs").resolve(id).resolve("meta.json")))
                .contains("10.0.0.0/8").contains(sample.get("blockReason").asString());
        assertThat(w.send("DELETE", "/internal/v1/databases/" + id, null, "Bearer " + Worker.SECRET, null).statusCode())
                .isEqualTo(200);
    }

    /** What the worker stored, as the contract's PUT body. */
    private static PutDatabase asPut(DatabaseMeta m) {
        return new PutDatabase(m.name(), m.organization(), m.groupId(), m.maxBytes(),
                m.keys().stream().map(k -> new PutDatabase.Key(k.kid(), k.publicKey(), k.scope())).toList(),
                m.revokedTokenIds(), m.blockReads(), m.blockWrites(), m.blockReason(), m.allowedIps(),
                m.storageLimitReason());
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static String body(String name, String org) throws Exception {
        ObjectNode b = (ObjectNode) Worker.JSON.readTree(Files.readString(SAMPLE));
        b.put("name", name).put("organization", org).put("blockWrites", false).putNull("blockReason");
        b.putArray("allowedIps");
        return b.toString();
    }

    @Test
    void aLabelHeldByOneDatabaseIsNeverTakenOverByAnother() throws Exception {
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        // shop-prod in acme and shop in prod-acme: both shop-prod-acme
        assertThat(put(first, body("shop-prod", "acme")).statusCode()).isEqualTo(200);
        HttpResponse<String> refused = put(second, body("shop", "prod-acme"));
        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode error = Worker.JSON.readTree(refused.body());
        assertThat(error.get("code").asString()).isEqualTo("LABEL_CONFLICT");
        assertThat(error.get("message").asString()).contains("shop-prod-acme").contains(first).contains(second);
        assertThat(registry().idForLabel("shop-prod-acme")).isEqualTo(first);
        assertThat(registry().meta(second)).isNull();
        assertThat(dir.resolve("dbs").resolve(second)).doesNotExist();

        // the holder may be put again (idempotent), and may give the label up by moving (a group transfer)
        assertThat(put(first, body("shop-prod", "acme")).statusCode()).isEqualTo(200);
        assertThat(put(first, body("shop-prod", "globex")).statusCode()).isEqualTo(200);
        assertThat(registry().idForLabel("shop-prod-acme")).isNull();
        assertThat(put(second, body("shop", "prod-acme")).statusCode()).isEqualTo(200);
        assertThat(registry().idForLabel("shop-prod-acme")).isEqualTo(second);
        // a deleted database frees its label
        assertThat(put(first, body("shop", "prod-acme")).statusCode()).isEqualTo(409);
        assertThat(w.send("DELETE", "/internal/v1/databases/" + second, null, "Bearer " + Worker.SECRET, null)
                .statusCode()).isEqualTo(200);
        assertThat(put(first, body("shop", "prod-acme")).statusCode()).isEqualTo(200);
        assertThat(registry().idForLabel("shop-prod-acme")).isEqualTo(first);
    }

    @Test
    void concurrentPutsOfOneLabelLetExactlyOneWin() throws Exception {
        int n = 8;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = ids.get(i);
                // race in a-b and race-a in b: both race-a-b
                String b = i % 2 == 0 ? body("race", "a-b") : body("race-a", "b");
                Callable<Integer> call = () -> {
                    go.await();
                    return put(id, b).statusCode();
                };
                answers.add(pool.submit(call));
            }
            go.countDown();
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> f : answers) {
                statuses.add(f.get());
            }
            assertThat(statuses.stream().filter(s -> s == 200).count()).as(statuses.toString()).isEqualTo(1);
            assertThat(statuses.stream().filter(s -> s == 409).count()).as(statuses.toString()).isEqualTo(n - 1);
            String winner = registry().idForLabel("race-a-b");
            assertThat(winner).isIn(ids);
            assertThat(Arrays.stream(ids.toArray(String[]::new)).filter(id -> registry().meta(id) != null)).containsExactly(winner);
        } finally {
            pool.shutdownNow();
        }
    }
}
