package dev.libsqlplatform.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Sizes and switches. Defaults are the full run the issue asks for; the smoke test passes tiny ones.
 * Arguments are {@code --key=value}: rows, seconds, warmup, clients (comma list), write-clients,
 * batch-rows, creates, list-dbs, density-dbs, density-samples, max-open (0 = worker default),
 * synchronous, server-heap, scenarios (reads,writes,control,density), out, work, root,
 * sandbox-rounds (rounds of the interleaved sandbox on/off comparison; 0 = not run) and sandbox-clients (comma list),
 * baseline-ref (a git ref whose control-plane and data-plane jars are built in a temporary worktree and measured against the
 * working tree's, interleaved; not set = not run), baseline-rounds (default: sandbox-rounds, or 4 when that is 0) and
 * baseline-clients (comma list; default: sandbox-clients), ws-rounds (rounds of the interleaved HTTP/WebSocket point-read
 * comparison on the measured platform; 0 = not run; default 4) and ws-clients (comma list; default 1,16),
 * read-rounds (interleaved rounds of scenario 1's platform/tursodb/ceiling measurement; default 3) and contended
 * (true: scenario 1 is measured a second time with a CPU hog per core running beside the servers; default true),
 * variant (comma list of KEY=VALUE environment variables: a second platform from the working tree's jars whose worker
 * runs with them, measured against the current one like a baseline, e.g. {@code PLATFORM_WORKER_REQUEST_THREADS_BASE=16};
 * rounds and clients as the baseline's), sync-mb (size of
 * the database the replication scenario's first sync pulls; default 100). The replication scenario is not in the default
 * list: {@code --scenarios=replication};
 * vector-rows, vector-dims, vector-queries, vector-batch, vector-peer-rows: scenario 6 (vectors; not in the default scenario list);
 * forward-rounds (rounds of the interleaved direct/forwarded point-read comparison: the same reads sent to the hosting worker and to a
 * second worker that forwards them; 0 = not run; default 4) and forward-clients (comma list; default 1,16);
 * compare-contended (true: the interleaved two-sided comparisons — sandbox, HTTP/WebSocket, forwarding, baseline, variant — run
 * with the same CPU hog per core beside both sides as scenario 1's contended rounds; default false).
 */
record BenchConfig(int rows, int seconds, int warmup, List<Integer> clients, List<Integer> writeClients, int batchRows,
                   int creates, int listDbs, int densityDbs, int densitySamples, int maxOpen, String synchronous,
                   String serverHeap, Set<String> scenarios, Path out, Path work, Path root, boolean installPlatform,
                   int sandboxRounds, List<Integer> sandboxClients, String baselineRef, int baselineRounds,
                   List<Integer> baselineClients, int wsRounds, List<Integer> wsClients, int readRounds, boolean contended,
                   Map<String, String> variant, int syncMb,
                   VectorScenario.Sizes vectors, int forwardRounds, List<Integer> forwardClients, boolean compareContended) {

    static BenchConfig parse(String... args) {
        Map<String, String> m = new HashMap<>();
        for (String a : args) {
            if (!a.startsWith("--") || !a.contains("=")) throw new IllegalArgumentException("expected --key=value, got " + a);
            m.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
        }
        Path root = Path.of(m.getOrDefault("root", ".")).toAbsolutePath().normalize();
        return new BenchConfig(
                i(m, "rows", 100_000), i(m, "seconds", 10), i(m, "warmup", 3),
                ints(m.getOrDefault("clients", "1,16,64")), ints(m.getOrDefault("write-clients", "1,16")),
                i(m, "batch-rows", 1000), i(m, "creates", 500), i(m, "list-dbs", 5000),
                i(m, "density-dbs", 10_000), i(m, "density-samples", 1000), i(m, "max-open", 0),
                m.getOrDefault("synchronous", "FULL"), m.getOrDefault("server-heap", "1g"),
                new TreeSet<>(Arrays.asList(m.getOrDefault("scenarios", "reads,writes,control,density").split(","))),
                Path.of(m.getOrDefault("out", root.resolve("bench/results").toString())).toAbsolutePath(),
                Path.of(m.getOrDefault("work", root.resolve("bench/target/run").toString())).toAbsolutePath(),
                root, Boolean.parseBoolean(m.getOrDefault("install-platform", "false")),
                i(m, "sandbox-rounds", 4), ints(m.getOrDefault("sandbox-clients", "1,16")),
                blankToNull(m.get("baseline-ref")), i(m, "baseline-rounds", i(m, "sandbox-rounds", 4) > 0 ? i(m, "sandbox-rounds", 4) : 4),
                ints(m.getOrDefault("baseline-clients", m.getOrDefault("sandbox-clients", "1,16"))),
                i(m, "ws-rounds", 4), ints(m.getOrDefault("ws-clients", "1,16")),
                Math.max(1, i(m, "read-rounds", 3)), Boolean.parseBoolean(m.getOrDefault("contended", "true")),
                env(m.getOrDefault("variant", "")), i(m, "sync-mb", 100),
                VectorScenario.Sizes.parse(m), i(m, "forward-rounds", 4), ints(m.getOrDefault("forward-clients", "1,16")),
                Boolean.parseBoolean(m.getOrDefault("compare-contended", "false")));
    }

    private static Map<String, String> env(String list) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (String kv : list.split(",")) {
            if (kv.isBlank()) continue;
            int eq = kv.indexOf('=');
            if (eq < 1) throw new IllegalArgumentException("--variant expects KEY=VALUE pairs, got " + kv);
            env.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return Map.copyOf(env);
    }

    private static String blankToNull(String s) { return s == null || s.isBlank() ? null : s.trim(); }

    private static int i(Map<String, String> m, String k, int d) {
        return m.containsKey(k) ? Integer.parseInt(m.get(k).replace("_", "")) : d;
    }

    private static List<Integer> ints(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    Path benchDir() { return root.resolve("bench"); }
}
