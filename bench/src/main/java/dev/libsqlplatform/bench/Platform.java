package dev.libsqlplatform.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our platform as the harness runs it: the packaged control-plane and data-plane jars on free ports,
 * a temp data dir, random admin token and service secret (docs/internals.md).
 */
final class Platform implements AutoCloseable {
    static final String ORG = "default";
    final Proc controlPlane;
    final Proc worker;
    final String cpUrl;
    final String workerUrl;
    final String adminToken;
    private final String secret;
    /** False for a {@link #forwarder}: it shares the control plane of the platform that started it. */
    private final boolean ownsControlPlane;
    private final Http http = new Http();

    private Platform(Proc cp, Proc worker, String cpUrl, String workerUrl, String adminToken) {
        this(cp, worker, cpUrl, workerUrl, adminToken, null, true);
    }

    private Platform(Proc cp, Proc worker, String cpUrl, String workerUrl, String adminToken, String secret,
                     boolean ownsControlPlane) {
        this.secret = secret;
        this.ownsControlPlane = ownsControlPlane;
        this.controlPlane = cp;
        this.worker = worker;
        this.cpUrl = cpUrl;
        this.workerUrl = workerUrl;
        this.adminToken = adminToken;
    }

    static Path cpJar(Path root) { return root.resolve("control-plane/target/control-plane.jar"); }

    static Path dpJar(Path root) { return root.resolve("data-plane/target/data-plane.jar"); }

    static String missingJars(Path root) {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(cpJar(root))) missing.add(cpJar(root).toString());
        if (!Files.isRegularFile(dpJar(root))) missing.add(dpJar(root).toString());
        return missing.isEmpty() ? null : String.join(", ", missing) + " missing";
    }

    /** The two jars a platform runs from: the working tree's ({@link #of}) or a baseline commit's ({@link Baseline}). */
    record Jars(Path controlPlane, Path dataPlane) {
        static Jars of(Path root) { return new Jars(cpJar(root), dpJar(root)); }
    }

    static Platform start(Path root, Path dir, BenchConfig cfg) throws IOException, InterruptedException {
        return start(Jars.of(root), dir, cfg, true);
    }

    static Platform start(Path root, Path dir, BenchConfig cfg, boolean sandbox) throws IOException, InterruptedException {
        return start(Jars.of(root), dir, cfg, sandbox);
    }

    /**
     * How long a server may take to answer after its start. The wait ends at the first answer, so a long bound costs
     * nothing on a quiet machine; on this 2-core VM shared with other builds (load 15+), with the sandbox-off platform
     * booting beside this one, a control plane took over 2 minutes.
     */
    static final Duration START_TIMEOUT = Duration.ofMinutes(5);

    /**
     * @param sandbox false starts the worker with {@code platform.worker.sandbox.enabled=false} (no authorizer, defensive
     *                mode, engine limits, statement deadline or temporary-file budget): only to measure what they cost.
     *                A worker built before the sandbox existed (a baseline) ignores the property.
     */
    static Platform start(Jars jars, Path dir, BenchConfig cfg, boolean sandbox) throws IOException, InterruptedException {
        return start(jars, dir, cfg, sandbox, Map.of());
    }

    /** @param workerEnv extra worker environment, applied last (a variant's settings, or e.g. {@code PLATFORM_WORKER_REPLICATION_ENABLED=false}) */
    static Platform start(Jars jars, Path dir, BenchConfig cfg, boolean sandbox, Map<String, String> workerEnv)
            throws IOException, InterruptedException {
        String admin = random();
        String secret = random();
        int cpPort = Proc.freePort();
        int wPort = Proc.freePort();
        String cpUrl = "http://127.0.0.1:" + cpPort;
        String wUrl = "http://127.0.0.1:" + wPort;
        // a fresh data dir every run, and private copies of the jars: they are rebuilt under us while we measure
        Harness.deleteTree(dir);
        Files.createDirectories(dir.resolve("jars"));
        Path cpJar = Files.copy(jars.controlPlane(), dir.resolve("jars/control-plane.jar"));
        Path dpJar = Files.copy(jars.dataPlane(), dir.resolve("jars/data-plane.jar"));
        Map<String, String> common = new HashMap<>();
        common.put("PLATFORM_SERVICE_SECRET", secret);
        common.put("SERVER_ADDRESS", "127.0.0.1");

        Map<String, String> cpEnv = new HashMap<>(common);
        cpEnv.put("SERVER_PORT", String.valueOf(cpPort));
        cpEnv.put("PLATFORM_ADMIN_TOKEN", admin);
        // the benchmark needs more than the starter plan's 500 databases (scenarios 3 and 4)
        cpEnv.put("PLATFORM_ADMIN_PLAN", "unlimited");
        cpEnv.put("PLATFORM_DATA_DIR", dir.resolve("cp").toString());
        Proc cp = Proc.start("control-plane", jvm(cfg, cpJar), dir.resolve("cp"), cpEnv);
        Proc w = null;
        try {
            cp.awaitHttp(cpUrl + "/actuator/health", START_TIMEOUT);
            Map<String, String> wEnv = new HashMap<>(common);
            wEnv.put("SERVER_PORT", String.valueOf(wPort));
            wEnv.put("PLATFORM_WORKER_CONTROL_PLANE_URL", cpUrl);
            wEnv.put("PLATFORM_WORKER_DATA_DIR", dir.resolve("worker").toString());
            wEnv.put("PLATFORM_WORKER_CAPACITY", String.valueOf(Math.max(10_000, cfg.densityDbs() + 100)));
            wEnv.put("PLATFORM_WORKER_SYNCHRONOUS", cfg.synchronous());
            if (cfg.maxOpen() > 0) wEnv.put("PLATFORM_WORKER_MAX_OPEN_DATABASES", String.valueOf(cfg.maxOpen()));
            // set both ways, so an operator's PLATFORM_WORKER_SANDBOX_ENABLED in the harness's environment cannot flip the "on" side
            wEnv.put("PLATFORM_WORKER_SANDBOX_ENABLED", String.valueOf(sandbox));
            wEnv.putAll(workerEnv);
            w = Proc.start("worker", jvm(cfg, dpJar), dir.resolve("worker"), wEnv);
            w.awaitHttp(wUrl + "/actuator/health", START_TIMEOUT);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (w != null) w.close();
            cp.close();
            throw e;
        }
        Platform platform = new Platform(cp, w, cpUrl, wUrl, admin, secret, true);
        platform.dataPlaneJar = dpJar;
        return platform;
    }

    /**
     * A second worker on this platform's control plane that hosts nothing (capacity 0: placement never picks it), so every
     * request it gets is forwarded to the worker hosting the database. Closing it stops only that worker.
     */
    Platform forwarder(BenchConfig cfg, Path dir) throws IOException, InterruptedException {
        Harness.deleteTree(dir);
        Files.createDirectories(dir.resolve("jars"));
        Path dpJar = Files.copy(dataPlaneJarOf(), dir.resolve("jars/data-plane.jar"));
        int port = Proc.freePort();
        String url = "http://127.0.0.1:" + port;
        Map<String, String> env = new HashMap<>();
        env.put("PLATFORM_SERVICE_SECRET", secret);
        env.put("SERVER_ADDRESS", "127.0.0.1");
        env.put("SERVER_PORT", String.valueOf(port));
        env.put("PLATFORM_WORKER_CONTROL_PLANE_URL", cpUrl);
        env.put("PLATFORM_WORKER_DATA_DIR", dir.resolve("worker").toString());
        env.put("PLATFORM_WORKER_CAPACITY", "0");
        Proc w = Proc.start("forwarder", jvm(cfg, dpJar), dir.resolve("worker"), env);
        try {
            w.awaitHttp(url + "/actuator/health", START_TIMEOUT);
        } catch (IOException | InterruptedException | RuntimeException e) {
            w.close();
            throw e;
        }
        return new Platform(controlPlane, w, cpUrl, url, adminToken, secret, false);
    }

    /** The data-plane jar this platform's worker runs (its private copy). */
    private Path dataPlaneJarOf() {
        return dataPlaneJar;
    }

    private Path dataPlaneJar;

    static List<String> jvm(BenchConfig cfg, Path jar) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Proc.java());
        cmd.add("-Xmx" + cfg.serverHeap());
        cmd.add("-jar");
        cmd.add(jar.toString());
        return cmd;
    }

    private static String random() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    String dbUrl() { return cpUrl + "/v1/organizations/" + ORG + "/databases"; }

    /** POST create; returns the latency of the create call in nanoseconds. Retries while no worker is registered yet. */
    long create(String name) throws IOException, InterruptedException {
        String body = "{\"name\":" + Http.quote(name) + ",\"group\":\"default\"}";
        Http.Response r = http.post(dbUrl(), adminToken, body);
        if (r.status() == 402) throw new QuotaException("create " + name + ": HTTP 402 " + Http.abbreviate(r.body()));
        if (r.status() != 200) throw new IOException("create " + name + ": HTTP " + r.status() + " " + Http.abbreviate(r.body()));
        return r.nanos();
    }

    /** Polls GET until "state":"ready"; returns when ready. */
    void awaitReady(String name, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Http.Response last = null;
        while (System.nanoTime() < deadline) {
            last = http.get(dbUrl() + "/" + name, adminToken);
            if (last.status() == 200 && READY.matcher(last.body()).find()) return;
            Thread.sleep(20);
        }
        throw new IOException("database " + name + " not ready within " + timeout + "; last answer: HTTP "
                + (last == null ? "-" : last.status() + " " + Http.abbreviate(last.body())));
    }

    private static final Pattern READY = Pattern.compile("\"state\"\\s*:\\s*\"ready\"");
    private static final Pattern JWT = Pattern.compile("\"jwt\"\\s*:\\s*\"([^\"]+)\"");

    String token(String name) throws IOException, InterruptedException {
        Http.Response r = http.post(dbUrl() + "/" + name + "/auth/tokens?authorization=full-access", adminToken, "{}");
        Matcher m = JWT.matcher(r.body());
        if (r.status() != 200 || !m.find()) throw new IOException("token for " + name + ": HTTP " + r.status() + " " + Http.abbreviate(r.body()));
        return m.group(1);
    }

    /** Creates, waits for ready, mints a token: the setup every SQL scenario needs. */
    String readyDatabaseWithToken(String name) throws IOException, InterruptedException {
        create(name);
        awaitReady(name, Duration.ofSeconds(60));
        return token(name);
    }

    /** The organization's plan refused another database (402). */
    static final class QuotaException extends IOException {
        QuotaException(String m) { super(m); }
    }

    String pipelineUrl() { return workerUrl + "/v2/pipeline"; }

    /** Longer than the worker's default SQLITE_LIMIT_LENGTH (16 MB, platform.worker.limits.max-value-bytes), shorter than SQLite's own 1e9. */
    private static final long PROBE_BLOB = 20_000_000;

    /**
     * Proves the worker runs with the engine sandbox as asked, so an on/off comparison never compares two equal workers
     * (a renamed property would otherwise pass silently): {@code zeroblob} over the engine's length limit is refused
     * with the sandbox (SQLITE_TOOBIG) and answered without it. {@code length()} of a zeroblob allocates nothing.
     */
    void verifySandbox(String token, boolean expectOn) throws IOException, InterruptedException {
        Http.Response r = http.post(pipelineUrl(), token, Http.pipeline("SELECT length(zeroblob(" + PROBE_BLOB + "))", true));
        boolean answered = r.status() == 200 && !r.body().contains("\"type\":\"error\"") && r.body().contains(String.valueOf(PROBE_BLOB));
        boolean refused = r.body().contains("TOOBIG") || r.body().toLowerCase(java.util.Locale.ROOT).contains("too big");
        if (expectOn ? !refused : !answered) {
            throw new IOException("worker should run with the engine sandbox " + (expectOn ? "on" : "off") + ", but `SELECT length(zeroblob("
                    + PROBE_BLOB + "))` got HTTP " + r.status() + " " + Http.abbreviate(r.body()));
        }
    }

    @Override
    public void close() {
        worker.close();
        if (ownsControlPlane) {
            controlPlane.close();
        }
    }
}
