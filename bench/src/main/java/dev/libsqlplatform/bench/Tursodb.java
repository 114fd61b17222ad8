package dev.libsqlplatform.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The peer: {@code tursodb --sync-server 127.0.0.1:PORT FILE} from {@code @tursodatabase/cli-linux-x64-gnu@0.6.0}
 * (the platform binary of {@code turso@0.6.0}), installed by bench/run with npm under bench/node_modules.
 * Its Hrana endpoint rejects {"type":"close"} (0.6.0: "unknown variant `close`, expected `execute` or
 * `batch`") and answers every request with "Connection: close", so it cannot use keep-alive.
 */
final class Tursodb {
    static Optional<Path> find(Path benchDir) {
        String env = System.getenv("TURSODB");
        if (env != null && Files.isExecutable(Path.of(env))) return Optional.of(Path.of(env));
        for (Path root : List.of(benchDir.resolve("node_modules"), benchDir.resolve("target/npm/node_modules"))) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.walk(root, 6)) {
                Optional<Path> p = s.filter(f -> f.getFileName().toString().equals("tursodb") && Files.isRegularFile(f)).findFirst();
                if (p.isPresent()) {
                    p.get().toFile().setExecutable(true);
                    return p;
                }
            } catch (IOException e) {
                // ignore
            }
        }
        return Optional.empty();
    }

    static String version(Path binary) {
        try {
            Process p = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return out;
        } catch (Exception e) {
            return "tursodb (version unknown)";
        }
    }

    /** Starts the sync server on a fresh file in dir; returns the process and its base URL. */
    static Proc start(Path binary, Path dir, String file, int port) throws IOException, InterruptedException {
        Proc p = Proc.start("tursodb-" + file.replace(".db", ""),
                List.of(binary.toString(), "-q", dir.resolve(file).toString(), "--sync-server", "127.0.0.1:" + port), dir, Map.of());
        p.awaitHttp("http://127.0.0.1:" + port + "/", Duration.ofSeconds(30));
        return p;
    }
}
