package dev.libsqlplatform.bench;

import java.util.Arrays;

/** One measured figure set: operations per second and latency percentiles in milliseconds. */
record Measure(double opsPerSec, double p50ms, double p99ms, long ops, long errors, String note) {
    static Measure of(Wrk.Result r) {
        return new Measure(r.rps(), r.p50ms(), r.p99ms(), r.requests(), r.errors(), r.errors() > 0 ? r.errors() + " errors" : "");
    }

    /** From raw latencies in nanoseconds over an elapsed wall time. */
    static Measure ofLatencies(long[] nanos, int count, double elapsedSeconds, long errors) {
        long[] s = Arrays.copyOf(nanos, count);
        Arrays.sort(s);
        return new Measure(count / elapsedSeconds, pct(s, 50) / 1e6, pct(s, 99) / 1e6, count, errors, "");
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Grows as needed; one per thread. */
    static final class Recorder {
        long[] nanos = new long[1 << 14];
        int n;

        void add(long v) {
            if (n == nanos.length) nanos = Arrays.copyOf(nanos, n * 2);
            nanos[n++] = v;
        }

        static Recorder merge(Iterable<Recorder> all) {
            Recorder m = new Recorder();
            for (Recorder r : all) for (int i = 0; i < r.n; i++) m.add(r.nanos[i]);
            return m;
        }
    }
}
