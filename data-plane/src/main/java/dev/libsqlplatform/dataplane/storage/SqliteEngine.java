package dev.libsqlplatform.dataplane.storage;

import dev.libsqlplatform.dataplane.sql.SqlPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.sqlite.SQLiteJDBCLoader;

/**
 * Loads the worker's SQLite engine: sqlite-jdbc's JNI glue, SQLite and the tenant sandbox in one native
 * library built with the data plane ({@code src/main/native/build.sh}), in place of the library sqlite-jdbc
 * bundles. Must run before anything in the process touches sqlite-jdbc; the worker refuses to start (rather
 * than serve tenants unsandboxed) when it cannot.
 */
public final class SqliteEngine {
    private static volatile String version;

    private SqliteEngine() {
    }

    /** Idempotent. Returns the SQLite version of the loaded engine. */
    public static synchronized String load() {
        if (version != null) {
            return version;
        }
        Path lib = extract();
        System.setProperty("org.sqlite.lib.path", lib.getParent().toString());
        System.setProperty("org.sqlite.lib.name", lib.getFileName().toString());
        try {
            SQLiteJDBCLoader.initialize();
        } catch (Exception e) {
            throw new IllegalStateException("cannot load the SQLite engine " + lib + ": " + e.getMessage(), e);
        }
        String v;
        try {
            v = NativeSandbox.engineVersion();
        } catch (UnsatisfiedLinkError e) {
            // sqlite-jdbc falls back to its own library silently when ours fails, or was loaded earlier
            throw new IllegalStateException("sqlite-jdbc loaded its bundled native library, not the worker's engine "
                    + "with the tenant sandbox (was sqlite-jdbc used before SqliteEngine.load()?)", e);
        }
        int rc = NativeSandbox.configure(array(SqlPolicy.READABLE_PRAGMAS),
                array(SqlPolicy.READABLE_PRAGMAS_WITH_ARGUMENT), array(SqlPolicy.SETTABLE_PRAGMAS),
                array(SqlPolicy.DENIED_FUNCTIONS), array(SqlPolicy.ALLOWED_MODULES));
        if (rc != 0) {
            throw new IllegalStateException("cannot install the tenant VFS (SQLite result code " + rc + ")");
        }
        version = v;
        return v;
    }

    private static String[] array(java.util.Set<String> names) {
        return names.toArray(String[]::new);
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            throw new IllegalStateException("the worker's SQLite engine is built for Linux only, not " + os);
        }
        return "linux-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch);
    }

    /**
     * Copies the library out of the jar into a content-addressed file: processes of different builds never
     * overwrite a library another process has mapped, and the same build reuses one copy.
     */
    private static Path extract() {
        String resource = "/native/" + platform() + "/libsqlitejdbc.so";
        byte[] bytes;
        try (InputStream in = SqliteEngine.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("this build has no SQLite engine for " + platform() + " ("
                        + resource + " is missing: build the data plane with Maven on that platform)");
            }
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String hash;
        try {
            hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "libsql-platform-engine-" + hash);
        Path lib = dir.resolve("libsqlitejdbc.so");
        try {
            if (Files.isRegularFile(lib) && Files.size(lib) == bytes.length) {
                return lib;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "lib", ".partial");
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, lib, StandardCopyOption.REPLACE_EXISTING);
            }
            return lib;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the SQLite engine to " + dir, e);
        }
    }
}
