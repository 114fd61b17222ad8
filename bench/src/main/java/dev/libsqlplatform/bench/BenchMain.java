package dev.libsqlplatform.bench;

import java.util.Arrays;

import dev.libsqlplatform.bench.ceiling.CeilingApp;

/**
 * {@code java -jar bench.jar [--key=value ...]} runs the benchmark (see {@link BenchConfig});
 * {@code java -jar bench.jar ceiling --server.port=N} (with -Dceiling.db, -Dceiling.rows) runs the ceiling server.
 */
public final class BenchMain {
    private BenchMain() {}

    static final String USAGE = """
            bench/run [--key=value ...]   (defaults: the full run; results in bench/results/latest.md)
              --scenarios=reads,writes,control,density   which scenarios (also: replication, vectors; run only when named)
              --sync-mb=100                               database size of the replication scenario's first sync
              --vector-rows=100000 --vector-dims=768 --vector-queries=100 --vector-batch=100   vector scenario sizes
              --vector-peer-rows=1000                     rows both engines get side by side (the platform then runs all)
              --seconds=10 --warmup=3                     seconds per measurement, warm-up seconds
              --rows=100000 --clients=1,16,64 --write-clients=1,16 --batch-rows=1000
              --creates=500 --list-dbs=5000 --density-dbs=10000 --density-samples=1000 --max-open=0
              --synchronous=FULL --server-heap=1g --out=bench/results --work=bench/target/run
              --sandbox-rounds=4 --sandbox-clients=1,16   interleaved sandbox on/off rounds (0 = not run)
              --baseline-ref=<git ref>                    also build that commit's control-plane and data-plane jars in a
                                                          temporary git worktree (cached per commit in
                                                          ~/.cache/libsql-platform/bench-baseline/) and measure the current
                                                          platform against it in reads and writes, interleaved
              --baseline-rounds=N --baseline-clients=1,16 its rounds (default: sandbox-rounds, or 4) and client counts
            Servers run on BENCH_JAVA_HOME's java when set.""";

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("ceiling")) {
            CeilingApp.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        System.setProperty("java.awt.headless", "true");
        new Harness(BenchConfig.parse(args)).run();
        System.exit(0);
    }
}
