package dev.libsqlplatform.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Several targets measured interleaved, so that the day's load lands on all of them alike: before the first
 * round every target is warmed at every client count (a JIT warmed only at 16 clients still compiles during the
 * first 1-client point, which is what biased round 1 before), then each round measures every client count on
 * every target back to back, in the listed order in odd rounds and reversed in even ones (A,B,C then C,B,A).
 * Besides wrk's figures each sample keeps the server's CPU time per request from {@code /proc/<pid>/stat}: on a
 * machine shared with other work, throughput follows the others' load far more than CPU per request does.
 */
final class Rounds {
    /** Loads one target: {@code clients} connections for {@code seconds}; null when the target is not measured at that count. */
    interface Load { Wrk.Result run(int clients, int seconds) throws Exception; }

    /** A measured server: its name in rows and log lines, the process whose CPU is counted (-1: none), its load. */
    record Target(String name, long pid, Load load) {}

    /** One point of one round: wrk's figures and the server's CPU time per completed request in µs (NaN if unknown). */
    record Sample(Measure measure, double cpuUsPerRequest) {}

    private final Map<String, Map<Integer, List<Sample>>> samples = new LinkedHashMap<>();
    private final List<Double> loads = new ArrayList<>();

    private Rounds() {}

    /** No rounds run: every figure NaN, every ratio empty. */
    static Rounds empty() { return new Rounds(); }

    /**
     * Runs {@code rounds} rounds over {@code targets} at each of {@code clients}; {@code label} prefixes log lines. A
     * target that throws stops the whole run: a comparison with one side missing from some rounds would mislead.
     */
    static Rounds run(String label, List<Target> targets, List<Integer> clients, int rounds, int seconds, int warmupSeconds) throws Exception {
        Rounds r = new Rounds();
        for (Target t : targets) r.samples.put(t.name(), new LinkedHashMap<>());
        if (warmupSeconds > 0) {
            for (Target t : targets) for (int c : clients) t.load().run(c, warmupSeconds);
        }
        for (int round = 1; round <= rounds; round++) {
            r.loads.add(Harness.loadAverage1());
            List<Target> order = new ArrayList<>(targets);
            if (round % 2 == 0) java.util.Collections.reverse(order);
            for (int c : clients) {
                for (Target t : order) {
                    long cpu0 = Harness.cpuTicks(t.pid());
                    Wrk.Result w = t.load().run(c, seconds);
                    if (w == null) continue;
                    long cpu1 = Harness.cpuTicks(t.pid());
                    double cpuUs = t.pid() < 0 || cpu0 < 0 || cpu1 < 0 || w.requests() == 0 ? Double.NaN
                            : (cpu1 - cpu0) * (1e6 / Harness.USER_HZ) / w.requests();
                    r.samples.get(t.name()).computeIfAbsent(c, x -> new ArrayList<>()).add(new Sample(Measure.of(w), cpuUs));
                    Log.info(String.format(Locale.ROOT, "%s round %d/%d %s c=%d %s cpu/request %s µs", label, round, rounds, t.name(), c, w.raw(),
                            Report.fmt(cpuUs)));
                }
            }
        }
        return r;
    }

    List<Sample> of(String target, int clients) {
        return samples.getOrDefault(target, Map.of()).getOrDefault(clients, List.of());
    }

    /** 1-minute load averages at the start of each round. */
    List<Double> loads() { return loads; }

    /** Median over the rounds of one figure of a target; NaN when not measured. */
    double median(String target, int clients, java.util.function.ToDoubleFunction<Sample> f) {
        return Harness.medianOf(of(target, clients).stream().map(f::applyAsDouble).toList());
    }

    /**
     * The ratio a ÷ b of one figure computed per round (both sides measured minutes apart at most), then averaged; with
     * the smallest and largest per-round ratio, so a reader sees how far one round can stray.
     */
    Ratio ratio(String a, String b, int clients, java.util.function.ToDoubleFunction<Sample> f) {
        List<Sample> sa = of(a, clients), sb = of(b, clients);
        List<Double> per = new ArrayList<>();
        for (int i = 0; i < Math.min(sa.size(), sb.size()); i++) {
            double x = f.applyAsDouble(sa.get(i)), y = f.applyAsDouble(sb.get(i));
            if (!Double.isNaN(x) && !Double.isNaN(y) && y != 0) per.add(x / y);
        }
        return new Ratio(per);
    }

    /** Per-round ratios: their mean, minimum and maximum. */
    record Ratio(List<Double> perRound) {
        double mean() { return perRound.isEmpty() ? Double.NaN : perRound.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN); }

        double min() { return perRound.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN); }

        double max() { return perRound.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN); }

        /** "0.98× (0.93–1.04)": the mean, then the spread over rounds. */
        String text() {
            if (perRound.isEmpty()) return "–";
            return Report.fmt(mean()) + "×" + (perRound.size() > 1 ? " (" + Report.fmt(min()) + "–" + Report.fmt(max()) + ")" : "");
        }

        String rounds() {
            return String.join(", ", perRound.stream().map(Report::fmt).toList());
        }
    }

    static double ops(Sample s) { return s.measure().opsPerSec(); }

    static double p50(Sample s) { return s.measure().p50ms(); }

    static double p99(Sample s) { return s.measure().p99ms(); }

    static double cpu(Sample s) { return s.cpuUsPerRequest(); }

    long errors(String target, int clients) {
        return of(target, clients).stream().mapToLong(s -> s.measure().errors()).sum();
    }
}
