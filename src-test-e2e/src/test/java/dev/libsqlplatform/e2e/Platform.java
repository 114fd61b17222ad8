package dev.libsqlplatform.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real platform for a test class: the packaged control plane and one worker, started with
 * {@code java -jar} on free ports, each with its own data directory under target/e2e/&lt;name&gt;/.
 */
final class Platform implements AutoCloseable {

    static final String ORG = "default";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<Integer> PORTS_HANDED_OUT = new HashSet<>();

    private final String name;
    private final Path root;
    private final Path controlPlaneJar;
    private final Path dataPlaneJar;
    private final String datasourceUrl; // null = embedded SQLite
    private final boolean presetAdminToken;
    private String adminToken; // null until read from <data-dir>/admin-token when the control plane generates it
    private final String serviceSecret = randomToken();
    private final int controlPlanePort = freePort();
    private final int workerPort = freePort();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, String> extraControlPlaneEnv = new LinkedHashMap<>();
    private ManagedProcess controlPlane;
    private ManagedProcess worker;
    /** Extra environment of the worker (a test's settings), applied at every start. */
    final Map<String, String> workerEnv = new LinkedHashMap<>();
    private ManagedProcess extraWorker;
    private final int extraWorkerPort = freePort();
    private int starts;

    Platform(String name, String datasourceUrl) throws IOException {
        this(name, datasourceUrl, true);
    }

    /** @param presetAdminToken false: leave PLATFORM_ADMIN_TOKEN unset so that the control plane generates one */
    Platform(String name, String datasourceUrl, boolean presetAdminToken) throws IOException {
        this.name = name;
        this.datasourceUrl = datasourceUrl;
        this.presetAdminToken = presetAdminToken;
        this.adminToken = presetAdminToken ? randomToken() : null;
        Path work = Path.of(System.getProperty("e2e.workDir", "target/e2e")).toAbsolutePath();
        this.root = work.resolve(name + "-" + System.currentTimeMillis());
        Files.createDirectories(root.resolve("jars"));
        // private copies: a rebuild of the apps while the tests run must not pull the jar from under a
        // running process (the nested-jar class loader then fails with NoClassDefFoundError)
        this.controlPlaneJar = Files.copy(existingJar("e2e.controlPlaneJar", "control-plane"),
                root.resolve("jars/control-plane.jar"));
        this.dataPlaneJar = Files.copy(existingJar("e2e.dataPlaneJar", "data-plane"),
                root.resolve("jars/data-plane.jar"));
        Files.createDirectories(root.resolve("control-plane"));
        Files.createDirectories(root.resolve("worker"));
        Files.createDirectories(root.resolve("logs"));
    }

    private static Path existingJar(String property, String module) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (run through Maven: "
                    + "mvn verify -pl src-test-e2e)");
        }
        Path jar = Path.of(value).toAbsolutePath().normalize();
        // a build running elsewhere may be between jar and repackage: wait a little for a complete Boot jar
        String problem = Waits.until(Duration.ofSeconds(60), Duration.ofSeconds(1), () -> bootJarProblem(jar));
        if (problem == null) {
            return jar;
        }
        throw new IllegalStateException(jar + " " + problem + ": build it first (mvn -B -DskipTests package -pl "
                + module + " -am)");
    }

    private static String bootJarProblem(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return "does not exist";
        }
        try (java.util.jar.JarFile file = new java.util.jar.JarFile(jar.toFile())) {
            java.util.jar.Manifest manifest = file.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue("Start-Class") == null) {
                return "is not a repackaged Spring Boot jar (no Start-Class)";
            }
            return null;
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
    }

    static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String randomSuffix() {
        return Long.toHexString(RANDOM.nextLong() & 0xffffffffffL);
    }

    /** A free TCP port on the loopback, never 8080/8081 and never one handed out before in this JVM. */
    static synchronized int freePort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                socket.setReuseAddress(true);
                int port = socket.getLocalPort();
                if (port != 8080 && port != 8081 && PORTS_HANDED_OUT.add(port)) {
                    return port;
                }
            } catch (IOException e) {
                throw new IllegalStateException("no free port", e);
            }
        }
        throw new IllegalStateException("no free port after 100 attempts");
    }

    /** An extra environment variable for the control plane, from its next start on (e.g. PLATFORM_ADMIN_PASSWORD). */
    Platform controlPlaneEnv(String name, String value) {
        extraControlPlaneEnv.put(name, value);
        return this;
    }

    String controlPlaneUrl() {
        return "http://127.0.0.1:" + controlPlanePort;
    }

    String workerUrl() {
        return "http://127.0.0.1:" + workerPort;
    }

    String adminToken() {
        return adminToken;
    }

    String serviceSecret() {
        return serviceSecret;
    }

    /** The control plane's and the worker's log files. */
    List<Path> processLogs() {
        List<Path> logs = new ArrayList<>(List.of(logDir().resolve("control-plane.log"),
                logDir().resolve("worker.log")));
        if (Files.exists(logDir().resolve("worker-2.log"))) {
            logs.add(logDir().resolve("worker-2.log"));
        }
        return logs;
    }

    Path root() {
        return root;
    }

    Path logDir() {
        return root.resolve("logs");
    }

    /** Environment for the JS scenarios. */
    Map<String, String> clientEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CONTROL_PLANE_URL", controlPlaneUrl());
        env.put("WORKER_URL", workerUrl());
        env.put("ADMIN_TOKEN", adminToken);
        env.put("ORG", ORG);
        return env;
    }

    /** Starts the control plane, waits for health, starts the worker, waits until it serves a database. */
    void start() throws Exception {
        startControlPlane();
        startWorker();
    }

    /** {@link #start}; when the platform does not come up, prints the logs' tails, stops what started and rethrows. */
    void startOrShowLogs() throws Exception {
        try {
            start();
        } catch (Exception | Error e) {
            System.err.println(logTails(200));
            close();
            throw e;
        }
    }

    Path controlPlaneDataDir() {
        return root.resolve("control-plane");
    }

    ManagedProcess controlPlaneProcess() {
        return controlPlane;
    }

    void startControlPlane() throws Exception {
        starts++;
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Map<String, String> cpEnv = new LinkedHashMap<>();
        cpEnv.put("SERVER_PORT", Integer.toString(controlPlanePort));
        cpEnv.put("SERVER_ADDRESS", "127.0.0.1");
        cpEnv.put("PLATFORM_DATA_DIR", root.resolve("control-plane").toString());
        if (presetAdminToken) {
            cpEnv.put("PLATFORM_ADMIN_TOKEN", adminToken);
        }
        cpEnv.put("PLATFORM_SERVICE_SECRET", serviceSecret);
        if (datasourceUrl != null) {
            cpEnv.put("SPRING_DATASOURCE_URL", datasourceUrl);
        }
        // the built-in plan catalog plus "tiny" (100 rows written a month), for the quota scenario
        Path plans = root.resolve("test-plans.json");
        if (!Files.exists(plans)) {
            try (java.io.InputStream in = Platform.class.getResourceAsStream("/test-plans.json")) {
                Files.copy(in, plans);
            }
        }
        cpEnv.put("PLATFORM_QUOTAS_PLANS_FILE", plans.toString());
        cpEnv.putAll(extraControlPlaneEnv);
        controlPlane = ManagedProcess.start("control-plane", command(javaBin, controlPlaneJar), root, cpEnv,
                logDir().resolve("control-plane.log"));
        waitForHealth(controlPlane, controlPlaneUrl());
        if (!presetAdminToken) {
            Path file = controlPlaneDataDir().resolve("admin-token");
            if (!Files.isRegularFile(file)) {
                throw new IllegalStateException("PLATFORM_ADMIN_TOKEN unset but the control plane wrote no " + file
                        + "\n" + controlPlane.tail(60));
            }
            adminToken = Files.readString(file).strip();
        }
    }

    void startWorker() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        worker = ManagedProcess.start("worker", command(javaBin, dataPlaneJar), root, workerEnv(workerPort, "worker"),
                logDir().resolve("worker.log"));
        waitForHealth(worker, workerUrl());
        waitForWorkerRegistration();
    }

    /** The worker's process (the quota scenario kills it with SIGKILL). */
    ManagedProcess workerProcess() {
        return worker;
    }

    /** The data directory of the worker at {@code url} (the first worker or the extra one). */
    Path workerDataDir(String url) {
        return url.equals(extraWorkerUrl()) ? root.resolve("worker-2") : root.resolve("worker");
    }

    /** SIGKILL of the worker at {@code url}, no shutdown hook: what a crash looks like. */
    void killWorker(String url) throws InterruptedException {
        ManagedProcess p = url.equals(extraWorkerUrl()) ? extraWorker : worker;
        p.kill();
        p.waitFor(Duration.ofSeconds(30));
    }

    /** Starts the worker at {@code url} again on its data directory and port. */
    void startWorker(String url) throws Exception {
        if (url.equals(extraWorkerUrl())) {
            startExtraWorker();
        } else {
            startWorker();
        }
    }

    void killControlPlane() throws InterruptedException {
        controlPlane.kill();
        controlPlane.waitFor(Duration.ofSeconds(30));
    }

    /**
     * A second worker against the same control plane (own port and data directory); databases created while it has
     * the most free capacity are placed on it. Stopped with the platform.
     */
    String startExtraWorker() throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.createDirectories(root.resolve("worker-2"));
        extraWorker = ManagedProcess.start("worker-2", command(javaBin, dataPlaneJar), root,
                workerEnv(extraWorkerPort, "worker-2"),
                logDir().resolve("worker-2.log"));
        waitForHealth(extraWorker, extraWorkerUrl());
        return extraWorkerUrl();
    }

    String extraWorkerUrl() {
        return "http://127.0.0.1:" + extraWorkerPort;
    }

    private Map<String, String> workerEnv(int port, String dataDir) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SERVER_PORT", Integer.toString(port));
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("PLATFORM_WORKER_DATA_DIR", root.resolve(dataDir).toString());
        env.put("PLATFORM_WORKER_CONTROL_PLANE_URL", controlPlaneUrl());
        env.put("PLATFORM_SERVICE_SECRET", serviceSecret);
        env.putAll(workerEnv); // a test's settings, for every worker it starts
        return env;
    }

    private static List<String> command(String javaBin, Path jar) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.add("-Xmx512m");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    private void waitForHealth(ManagedProcess process, String baseUrl) throws Exception {
        String last = Waits.until(START_TIMEOUT, Duration.ofMillis(200), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited with " + process.exitCode()
                        + " before becoming healthy\n" + process.tail(80));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/health"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().contains("\"UP\"") ? null : r.statusCode() + " " + r.body();
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (last == null) {
            return;
        }
        throw new IllegalStateException(process.name() + " not healthy at " + baseUrl + "/actuator/health after "
                + START_TIMEOUT + " (last: " + last + ")\n" + process.tail(80));
    }

    /**
     * The worker registers through its heartbeat; it is in service once a database created through the
     * Platform API answers SQL on it with a token minted for it.
     */
    private void waitForWorkerRegistration() throws Exception {
        String db = "e2e-probe-" + starts + "-" + randomSuffix();
        HttpResponse<String> created = platformApi("POST", "/v1/organizations/" + ORG + "/databases",
                "{\"name\":\"" + db + "\",\"group\":\"default\"}");
        if (created.statusCode() != 200) {
            throw new IllegalStateException("POST /v1/organizations/" + ORG + "/databases {\"name\":\"" + db
                    + "\",\"group\":\"default\"} answered " + created.statusCode() + " (expected 200): "
                    + created.body() + "\n" + controlPlane.tail(60));
        }
        HttpResponse<String> minted = platformApi("POST",
                "/v1/organizations/" + ORG + "/databases/" + db + "/auth/tokens", null);
        Matcher m = Pattern.compile("\"jwt\"\\s*:\\s*\"([^\"]+)\"").matcher(minted.body());
        if (minted.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("POST .../databases/" + db + "/auth/tokens answered "
                    + minted.statusCode() + ": " + minted.body());
        }
        String jwt = m.group(1);
        String last = Waits.until(START_TIMEOUT, Duration.ofMillis(250), () -> {
            if (!worker.isAlive() || !controlPlane.isAlive()) {
                throw new IllegalStateException("a process exited while waiting for the worker to register\n"
                        + logTails(60));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(workerUrl() + "/v2/pipeline"))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer " + jwt)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"baton\":null,\"requests\":[{\"type\":\"execute\","
                                + "\"stmt\":{\"sql\":\"SELECT 1\"}},{\"type\":\"close\"}]}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                return r.statusCode() == 200 && r.body().contains("\"ok\"") ? null : r.statusCode() + " " + r.body();
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (last == null) {
            return;
        }
        throw new IllegalStateException("the worker never served database " + db + " (last answer: " + last + ")\n"
                + logTails(60));
    }

    HttpResponse<String> platformApi(String method, String path, String jsonBody) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(controlPlaneUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + adminToken);
        if (jsonBody != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops both processes with SIGTERM (worker first) and waits; returns the exit codes [cp, worker]. */
    int[] stop() throws InterruptedException {
        if (extraWorker != null) {
            extraWorker.stop(STOP_GRACE);
            extraWorker = null;
        }
        int w = worker == null ? -1 : worker.stop(STOP_GRACE);
        int c = controlPlane == null ? -1 : controlPlane.stop(STOP_GRACE);
        return new int[] {c, w};
    }

    /** SIGKILL of the worker (a crash: no shutdown hook, no checkpoint), waiting until it is gone. */
    void killWorker() throws InterruptedException {
        worker.kill();
        worker.waitFor(Duration.ofSeconds(30));
    }

    /** Same data directories, same ports, same secrets. */
    void restart() throws Exception {
        stop();
        start();
    }

    String logTails(int lines) {
        StringBuilder sb = new StringBuilder();
        for (ManagedProcess p : new ManagedProcess[] {controlPlane, worker}) {
            if (p != null) {
                sb.append("----- ").append(p.log()).append(" (last ").append(lines).append(" lines)\n")
                        .append(p.tail(lines)).append('\n');
            }
        }
        return sb.toString();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            stop();
        } finally {
            if (worker != null) {
                worker.kill();
            }
            if (controlPlane != null) {
                controlPlane.kill();
            }
            try {
                Files.deleteIfExists(controlPlaneJar);
                Files.deleteIfExists(dataPlaneJar);
            } catch (IOException ignored) {
                // only disk space
            }
        }
    }

    @Override
    public String toString() {
        return name + " (control plane " + controlPlaneUrl() + ", worker " + workerUrl() + ", data " + root + ")";
    }
}
