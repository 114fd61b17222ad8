package dev.libsqlplatform.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The control-plane and data-plane jars of another commit (a "baseline"), to measure the working tree against it in the
 * same run. Built once per commit in a temporary detached worktree ({@code git worktree add --detach}, then
 * {@code mvn -B -q -DskipTests package -pl control-plane,data-plane -am}), which is removed afterwards; the two jars are
 * kept in {@code ${LIBSQL_PLATFORM_CACHE:-${XDG_CACHE_HOME:-~/.cache}/libsql-platform}/bench-baseline/<commit>/}
 * (the cache the data plane's native build uses), so a second run with the same commit does not build again.
 */
final class Baseline {
    /** Full commit hash, short hash and subject line of the ref. */
    final String commit;
    final String shortCommit;
    final String subject;
    final Platform.Jars jars;
    /** True when the jars came from the cache (nothing was built in this run). */
    final boolean cached;

    private Baseline(String commit, String shortCommit, String subject, Platform.Jars jars, boolean cached) {
        this.commit = commit;
        this.shortCommit = shortCommit;
        this.subject = subject;
        this.jars = jars;
        this.cached = cached;
    }

    static Path cacheRoot() {
        String c = System.getenv("LIBSQL_PLATFORM_CACHE");
        if (c != null && !c.isBlank()) return Path.of(c);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("libsql-platform");
    }

    /** Resolves the ref in the repository at root, then returns the cached jars or builds them. */
    static Baseline prepare(Path root, String ref, Path logDir) throws IOException, InterruptedException {
        String commit = git(root, "rev-parse", "--verify", "--quiet", ref + "^{commit}").trim();
        if (!commit.matches("[0-9a-f]{40}")) throw new IOException("git ref `" + ref + "` does not name a commit in " + root);
        String shortCommit = git(root, "rev-parse", "--short", commit).trim();
        String subject = git(root, "log", "-1", "--format=%s", commit).trim();
        Path dir = cacheRoot().resolve("bench-baseline").resolve(commit);
        Platform.Jars jars = new Platform.Jars(dir.resolve("control-plane.jar"), dir.resolve("data-plane.jar"));
        if (Files.isRegularFile(jars.controlPlane()) && Files.isRegularFile(jars.dataPlane())) {
            Log.info("baseline " + shortCommit + ": jars from the cache " + dir);
            return new Baseline(commit, shortCommit, subject, jars, true);
        }
        build(root, commit, shortCommit, dir, logDir);
        return new Baseline(commit, shortCommit, subject, jars, false);
    }

    private static void build(Path root, String commit, String shortCommit, Path dir, Path logDir) throws IOException, InterruptedException {
        Files.createDirectories(logDir);
        Path log = logDir.resolve("baseline-build-" + shortCommit + ".log");
        // git creates the worktree's directory; only its unique name is taken here
        Path tree = Files.createTempDirectory("libsql-bench-baseline-" + shortCommit + "-");
        Files.delete(tree);
        long t0 = System.nanoTime();
        Log.info("baseline " + shortCommit + ": building the jars in a temporary worktree " + tree + " (log: " + log + ")");
        git(root, "worktree", "add", "--detach", tree.toString(), commit);
        try {
            List<String> cmd = new ArrayList<>(List.of("mvn", "-B", "-ntp", "-q", "-DskipTests", "package", "-pl", "control-plane,data-plane", "-am"));
            Process p = new ProcessBuilder(cmd).directory(tree.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                throw new IOException("baseline build of " + shortCommit + " took over 30 minutes; log " + log);
            }
            if (p.exitValue() != 0) throw new IOException("baseline build of " + shortCommit + " failed (exit " + p.exitValue() + "); log " + log + ", tail:\n" + tail(log, 30));
            Path cp = tree.resolve("control-plane/target/control-plane.jar"), dp = tree.resolve("data-plane/target/data-plane.jar");
            if (!Files.isRegularFile(cp) || !Files.isRegularFile(dp)) {
                throw new IOException("baseline build of " + shortCommit + " did not produce control-plane/target/control-plane.jar and data-plane/target/data-plane.jar");
            }
            // into a private directory first, then renamed: a cache entry is either complete or absent
            Files.createDirectories(dir.getParent());
            Path tmp = Files.createTempDirectory(dir.getParent(), commit + ".tmp-");
            Files.copy(cp, tmp.resolve("control-plane.jar"));
            Files.copy(dp, tmp.resolve("data-plane.jar"));
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // another run cached the same commit meanwhile: keep theirs
                Harness.deleteTree(tmp);
                if (!Files.isDirectory(dir)) throw e;
            }
            Log.info(String.format("baseline %s: built in %.0f s, jars cached in %s", shortCommit, (System.nanoTime() - t0) / 1e9, dir));
        } finally {
            try {
                git(root, "worktree", "remove", "--force", tree.toString());
            } catch (IOException e) {
                Log.info("could not remove the baseline worktree " + tree + ": " + e.getMessage());
                Harness.deleteTree(tree);
                git(root, "worktree", "prune");
            }
        }
    }

    static String git(Path root, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " did not finish");
        }
        if (p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "): " + out.trim());
        return out;
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}
