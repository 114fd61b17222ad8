package dev.libsqlplatform.deploy;

import static dev.libsqlplatform.deploy.Repo.at;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/** Lints and renders helm/libsql-platform with Helm's own library and checks the objects that come out. */
class HelmChartTest {

    private static final Path CHART = Repo.ROOT.resolve("helm/libsql-platform");
    private static final String PG = "jdbc:postgresql://pg.example:5432/platform";

    @Test
    void chartLintsCleanInStrictMode() {
        LintResult lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @Test
    void controlPlaneIsAReplicatedDeploymentOnPostgresWithSecretsAndProbes() {
        List<Map<String, Object>> objects = render(t -> t.set("database.url", PG).set("database.password", "pw"));
        Map<String, Object> deployment = only(objects, "Deployment", "rel-libsql-platform-control-plane");
        assertThat((Integer) at(deployment, "spec", "replicas")).isEqualTo(2);
        Map<String, Object> container = at(deployment, "spec", "template", "spec", "containers", 0);
        assertThat((List<String>) at(container, "args")).containsExactly("control-plane");
        assertThat(env(container, "SPRING_DATASOURCE_URL")).containsEntry("value", PG);
        assertThat(secretRef(container, "PLATFORM_SERVICE_SECRET")).isEqualTo("rel-libsql-platform-secrets/service-secret");
        assertThat(secretRef(container, "PLATFORM_ADMIN_TOKEN")).isEqualTo("rel-libsql-platform-secrets/admin-token");
        assertThat(secretRef(container, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("rel-libsql-platform-secrets/database-password");
        assertProbes(container);
        assertThat((String) at(container, "resources", "requests", "cpu")).isEqualTo("250m");
        assertThat((Boolean) at(container, "securityContext", "readOnlyRootFilesystem")).isTrue();
        assertThat((Integer) at(deployment, "spec", "template", "spec", "securityContext", "runAsUser")).isEqualTo(10001);
        assertThat(mountPaths(container)).contains("/tmp", "/var/lib/libsql-platform/control-plane");

        Map<String, Object> pdb = only(objects, "PodDisruptionBudget", "rel-libsql-platform-control-plane");
        assertThat((Integer) at(pdb, "spec", "minAvailable")).isEqualTo(1);

        Map<String, Object> secret = only(objects, "Secret", "rel-libsql-platform-secrets");
        Map<String, String> data = at(secret, "data");
        assertThat(data).containsOnlyKeys("service-secret", "admin-token", "database-password");
        assertThat(decode(data.get("database-password"))).isEqualTo("pw");
        // generated secrets are long random values, not a placeholder shared by every installation
        assertThat(decode(data.get("service-secret"))).hasSize(43).isNotEqualTo(decode(data.get("admin-token")));

        List<Map<String, Object>> again = render(t -> t.set("database.url", PG).set("database.password", "pw"));
        Map<String, String> data2 = at(only(again, "Secret", "rel-libsql-platform-secrets"), "data");
        assertThat(data2.get("service-secret")).isNotEqualTo(data.get("service-secret"));
    }

    @Test
    void workersAreAStatefulSetWithVolumesAHeadlessServiceAndTheirOwnAddress() {
        List<Map<String, Object>> objects = render(t -> t.set("database.url", PG).set("worker.replicas", 3)
                .set("worker.persistence.size", "5Gi").set("worker.persistence.storageClassName", "fast"));
        Map<String, Object> sts = only(objects, "StatefulSet", "rel-libsql-platform-worker");
        assertThat((Integer) at(sts, "spec", "replicas")).isEqualTo(3);
        assertThat((String) at(sts, "spec", "serviceName")).isEqualTo("rel-libsql-platform-worker-headless");
        Map<String, Object> claim = at(sts, "spec", "volumeClaimTemplates", 0);
        assertThat((String) at(claim, "metadata", "name")).isEqualTo("data");
        assertThat((String) at(claim, "spec", "resources", "requests", "storage")).isEqualTo("5Gi");
        assertThat((String) at(claim, "spec", "storageClassName")).isEqualTo("fast");
        Map<String, Object> container = at(sts, "spec", "template", "spec", "containers", 0);
        assertThat((List<String>) at(container, "args")).containsExactly("worker");
        assertThat(mountPaths(container)).contains("/var/lib/libsql-platform/worker", "/tmp");
        assertThat(env(container, "PLATFORM_WORKER_ID")).containsEntry("value", "$(POD_NAME)");
        assertThat(env(container, "PLATFORM_WORKER_PUBLIC_URL"))
                .containsEntry("value", "http://$(POD_NAME).rel-libsql-platform-worker-headless.ns1.svc:8081");
        assertThat(env(container, "PLATFORM_WORKER_CONTROL_PLANE_URL"))
                .containsEntry("value", "http://rel-libsql-platform-control-plane:8080");
        assertThat(secretRef(container, "PLATFORM_SERVICE_SECRET")).isEqualTo("rel-libsql-platform-secrets/service-secret");
        assertProbes(container);
        assertThat((Integer) at(sts, "spec", "template", "spec", "terminationGracePeriodSeconds")).isEqualTo(60);

        Map<String, Object> headless = only(objects, "Service", "rel-libsql-platform-worker-headless");
        assertThat((String) at(headless, "spec", "clusterIP")).isEqualTo("None");
        Map<String, Object> sql = only(objects, "Service", "rel-libsql-platform-worker");
        assertThat((Map<String, String>) at(sql, "spec", "selector"))
                .containsEntry("app.kubernetes.io/component", "worker");
        Map<String, Object> pdb = only(objects, "PodDisruptionBudget", "rel-libsql-platform-worker");
        assertThat((Integer) at(pdb, "spec", "maxUnavailable")).isEqualTo(1);
        assertThat(kinds(objects)).doesNotContain("Ingress");
    }

    @Test
    void ingressRoutesTheApiHostAndTheWildcardDatabaseHostname() {
        List<Map<String, Object>> objects = render(t -> t.set("database.url", PG).set("ingress.enabled", true)
                .set("baseDomain", "db.acme.io").set("ingress.className", "nginx")
                .set("ingress.wildcardTlsSecret", "wild-tls").set("structuredLogs", "ecs"));
        Map<String, Object> ingress = only(objects, "Ingress", "rel-libsql-platform");
        assertThat((String) at(ingress, "spec", "ingressClassName")).isEqualTo("nginx");
        List<Map<String, Object>> rules = at(ingress, "spec", "rules");
        assertThat(rules).extracting(r -> r.get("host")).containsExactly("api.db.acme.io", "*.db.acme.io");
        assertThat((String) at(rules.get(0), "http", "paths", 0, "backend", "service", "name"))
                .isEqualTo("rel-libsql-platform-control-plane");
        assertThat((String) at(rules.get(1), "http", "paths", 0, "backend", "service", "name"))
                .isEqualTo("rel-libsql-platform-worker");
        assertThat((List<String>) at(ingress, "spec", "tls", 0, "hosts")).containsExactly("*.db.acme.io");
        Map<String, Object> worker = at(only(objects, "StatefulSet", "rel-libsql-platform-worker"),
                "spec", "template", "spec", "containers", 0);
        assertThat(env(worker, "PLATFORM_BASE_DOMAIN")).containsEntry("value", "db.acme.io");
        assertThat(env(worker, "LOGGING_STRUCTURED_FORMAT_CONSOLE")).containsEntry("value", "ecs");
    }

    @Test
    void anExistingSecretReplacesTheGeneratedOne() {
        List<Map<String, Object>> objects = render(t -> t.set("database.url", PG).set("secrets.existingSecret", "mine")
                .set("database.passwordSecret.name", "pg").set("database.passwordSecret.key", "pass"));
        assertThat(kinds(objects)).doesNotContain("Secret");
        Map<String, Object> cp = at(only(objects, "Deployment", "rel-libsql-platform-control-plane"),
                "spec", "template", "spec", "containers", 0);
        assertThat(secretRef(cp, "PLATFORM_SERVICE_SECRET")).isEqualTo("mine/service-secret");
        assertThat(secretRef(cp, "SPRING_DATASOURCE_PASSWORD")).isEqualTo("pg/pass");
    }

    @Test
    void renderingWithoutPostgresFailsWithTheReason() {
        assertThatThrownBy(() -> render(t -> { }))
                .hasMessageContaining("database.url (jdbc:postgresql://...) is required");
    }

    @Test
    void disabledDisruptionBudgetsAreNotRendered() {
        List<Map<String, Object>> objects = render(t -> t.set("database.url", PG)
                .set("controlPlane.podDisruptionBudget.enabled", false).set("worker.podDisruptionBudget.enabled", false));
        assertThat(kinds(objects)).doesNotContain("PodDisruptionBudget");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static List<Map<String, Object>> render(Consumer<TemplateCommand> values) {
        TemplateCommand template = new Helm(CHART).template().withName("rel").withNamespace("ns1")
                .withKubeVersion("1.30.0").set("secrets.reuseGenerated", false);
        values.accept(template);
        String out = template.call();
        List<Map<String, Object>> objects = new ArrayList<>();
        for (Object doc : new Yaml(new LoaderOptions()).loadAll(out)) {
            if (doc != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> object = (Map<String, Object>) doc;
                objects.add(object);
            }
        }
        return objects;
    }

    private static Map<String, Object> only(List<Map<String, Object>> objects, String kind, String name) {
        List<Map<String, Object>> found = objects.stream()
                .filter(o -> kind.equals(o.get("kind")) && name.equals(at(o, "metadata", "name")))
                .toList();
        assertThat(found).as("%s %s among %s", kind, name, kinds(objects)).hasSize(1);
        return found.get(0);
    }

    private static List<String> kinds(List<Map<String, Object>> objects) {
        return objects.stream().map(o -> String.valueOf(o.get("kind"))).collect(Collectors.toList());
    }

    private static Map<String, Object> env(Map<String, Object> container, String name) {
        List<Map<String, Object>> env = at(container, "env");
        return env.stream().filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private static String secretRef(Map<String, Object> container, String name) {
        Map<String, Object> ref = at(env(container, name), "valueFrom", "secretKeyRef");
        return ref.get("name") + "/" + ref.get("key");
    }

    private static List<String> mountPaths(Map<String, Object> container) {
        List<Map<String, Object>> mounts = at(container, "volumeMounts");
        return mounts.stream().map(m -> (String) m.get("mountPath")).toList();
    }

    private static void assertProbes(Map<String, Object> container) {
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/actuator/health/readiness");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat((String) at(container, "startupProbe", "httpGet", "path")).isEqualTo("/actuator/health/liveness");
        assertThat((String) at(container, "readinessProbe", "httpGet", "port")).isEqualTo("http");
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64));
    }
}
