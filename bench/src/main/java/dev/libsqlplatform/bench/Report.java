package dev.libsqlplatform.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Collects rows per scenario and writes results/latest.md plus PNG charts (XChart). */
final class Report {
    record Row(String target, String peer, String figure, String peerFigure, String ratio, String goal, String met) {}

    /** What a goal tests: the figure, the peer's figure and the ratio shown (per-round mean where rounds were run). */
    interface Test { boolean met(double v, double peer, double ratio); }

    /** A goal: its text and its test; null test = informational. */
    record Goal(String text, Test test) {
        static final Goal NONE = new Goal("", null);

        static Goal ratioAtLeast(double r) { return new Goal("≥ " + fmt(r) + "× peer", (v, p, ratio) -> ratio >= r); }

        static Goal atMostMs(double ms) { return new Goal("≤ " + fmt(ms) + " ms", (v, p, ratio) -> v <= ms); }

        /** At most the peer's figure (latency, CPU): the mean of per-round ratios, where rounds were run. */
        static Goal atMostPeer() { return new Goal("≤ peer", (v, p, ratio) -> ratio <= 1); }

        static Goal atMostPctOfPeer(double pct) { return new Goal("≤ " + fmt(pct) + "% of peer", (v, p, ratio) -> ratio <= pct / 100); }

        static Goal withinPct(double pct) { return new Goal("within " + fmt(pct) + "% of peer", (v, p, ratio) -> ratio <= 1 + pct / 100); }
    }

    static final class Section {
        final String title;
        final List<String> intro = new ArrayList<>();
        final List<Row> rows = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        final List<String> charts = new ArrayList<>();

        Section(String title) { this.title = title; }

        /** A figure beside its peer; peer may be NaN (not measured). */
        void compare(String target, String peer, String metric, double v, double pv, String unit, Goal goal) {
            double r = Double.isNaN(v) || Double.isNaN(pv) || pv == 0 ? Double.NaN : v / pv;
            compare(target, peer, metric, v, pv, unit, r, Double.isNaN(r) ? "–" : fmt(r) + "×", goal);
        }

        /**
         * A figure beside its peer with the ratio computed elsewhere (the mean of per-round ratios, whose text also shows
         * their spread); the goal is judged on that ratio, not on the ratio of the two medians.
         */
        void compare(String target, String peer, String metric, double v, double pv, String unit, Rounds.Ratio ratio, Goal goal) {
            compare(target, peer, metric, v, pv, unit, ratio.mean(), ratio.text(), goal);
        }

        private void compare(String target, String peer, String metric, double v, double pv, String unit, double ratio, String ratioText, Goal goal) {
            String met;
            if (goal.test() == null) met = "";
            else if (Double.isNaN(v)) met = "not measured";
            else if (goal.text().contains("peer") && (Double.isNaN(pv) || Double.isNaN(ratio))) met = "no peer";
            else met = goal.test().met(v, pv, ratio) ? "yes" : "**no**";
            rows.add(new Row(target, peer, metric + " " + val(v, unit), Double.isNaN(pv) ? "–" : val(pv, unit), ratioText, goal.text(), met));
        }

        void single(String target, String metric, double v, String unit, Goal goal) {
            String met = goal.test() == null ? "" : Double.isNaN(v) ? "not measured" : goal.test().met(v, Double.NaN, Double.NaN) ? "yes" : "**no**";
            rows.add(new Row(target, "–", (metric + " " + val(v, unit)).trim(), "–", "–", goal.text(), met));
        }
    }

    final Map<String, Section> sections = new LinkedHashMap<>();
    final List<String> header = new ArrayList<>();

    Section section(String title) { return sections.computeIfAbsent(title, Section::new); }

    static String val(double v, String unit) {
        if (Double.isNaN(v)) return "n/a";
        return fmt(v) + (unit.isEmpty() ? "" : " " + unit);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        double a = Math.abs(v);
        if (a >= 1000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100) return String.format(Locale.ROOT, "%.0f", v);
        if (a >= 10) return String.format(Locale.ROOT, "%.1f", v);
        if (a >= 1) return String.format(Locale.ROOT, "%.2f", v);
        return String.format(Locale.ROOT, "%.3f", v);
    }

    void write(Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder md = new StringBuilder("# Benchmark results\n\n");
        for (String h : header) md.append(h).append('\n');
        md.append('\n');
        for (Section s : sections.values()) {
            md.append("## ").append(s.title).append("\n\n");
            for (String i : s.intro) md.append(i).append("\n");
            if (!s.intro.isEmpty()) md.append('\n');
            if (!s.rows.isEmpty()) {
                md.append("| target | peer | figure | peer figure | ratio | goal | met? |\n|---|---|---|---|---|---|---|\n");
                for (Row r : s.rows) {
                    md.append("| ").append(String.join(" | ", r.target(), r.peer(), r.figure(), r.peerFigure(), r.ratio(), r.goal(), r.met()))
                            .append(" |\n");
                }
                md.append('\n');
            }
            for (String n : s.notes) md.append("- ").append(n).append('\n');
            if (!s.notes.isEmpty()) md.append('\n');
            for (String c : s.charts) md.append("![").append(c).append("](").append(c).append(")\n");
            if (!s.charts.isEmpty()) md.append('\n');
        }
        Path tmp = out.resolve("latest.md.tmp");
        Files.writeString(tmp, md.toString());
        Files.move(tmp, out.resolve("latest.md"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** Grouped bars: one group per category, one bar per series (NaN drawn as 0 and labelled in the series name). */
    static void bars(Path file, String title, String yLabel, List<String> categories, Map<String, List<Double>> series, boolean log)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        CategoryChart chart = new CategoryChartBuilder().width(900).height(500).title(title).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
        chart.getStyler().setLabelsFont(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 10));
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        for (Map.Entry<String, List<Double>> e : series.entrySet()) {
            List<Double> ys = new ArrayList<>();
            boolean missing = false;
            for (Double d : e.getValue()) {
                boolean bad = d == null || d.isNaN() || (log && d <= 0);
                missing |= bad;
                ys.add(bad ? (log ? 1e-3 : 0.0) : d);
            }
            chart.addSeries(e.getKey() + (missing ? " (n/a shown as 0)" : ""), categories, ys);
        }
        Files.createDirectories(file.getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
