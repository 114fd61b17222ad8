package dev.libsqlplatform.bench;

import java.util.Arrays;

import dev.libsqlplatform.bench.ceiling.CeilingApp;

/**
 * {@code java -jar bench.jar [--key=value ...]} runs the benchmark (see {@link BenchConfig});
 * {@code java -jar bench.jar ceiling --server.port=N} (with -Dceiling.db, -Dceiling.rows) runs the ceiling server.
 */
public final class BenchMain {
    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("ceiling")) {
            CeilingApp.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        System.setProperty("java.awt.headless", "true");
        new Harness(BenchConfig.parse(args)).run();
        System.exit(0);
    }
}
