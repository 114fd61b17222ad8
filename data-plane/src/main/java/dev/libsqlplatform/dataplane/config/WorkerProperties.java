package dev.libsqlplatform.dataplane.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Worker configuration ({@code platform.worker.*}); defaults as documented in docs/internals.md.
 *
 * @param dataDir             folder holding {@code dbs/<dbId>/} and {@code worker-id} (default {@code ./data/worker})
 * @param controlPlaneUrl     where heartbeats go (default {@code http://127.0.0.1:8080})
 * @param publicUrl           URL advertised in heartbeats; unset means {@code http://127.0.0.1:<server.port>}
 * @param id                  worker id; unset means generated once and kept in {@code <data-dir>/worker-id}
 * @param capacity            databases this worker accepts (default 10000)
 * @param baseDomain          Host-label routing suffix (default {@code localhost}, env PLATFORM_BASE_DOMAIN)
 * @param heartbeatInterval   heartbeat period (default 2s)
 * @param maxOpenDatabases    LRU bound on open SQLite databases (default 1000)
 * @param readersPerDatabase  read-only connections per open database (default 4)
 * @param streamIdleTimeout   a baton stream idle this long is closed and rolled back (default 10s)
 * @param busyTimeout         how long a statement waits for the single writer (default 5s)
 * @param synchronous         SQLite {@code synchronous} for tenant databases (default FULL)
 * @param usageSpoolInterval  how often usage counted since the last heartbeat is written to the usage spool on disk
 *                            (default 250ms): what a {@code kill -9} of the worker can lose at most
 */
@ConfigurationProperties(prefix = "platform.worker")
public record WorkerProperties(
        @DefaultValue("./data/worker") Path dataDir,
        @DefaultValue("http://127.0.0.1:8080") String controlPlaneUrl,
        String publicUrl,
        String id,
        @DefaultValue("10000") int capacity,
        @DefaultValue("localhost") String baseDomain,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue("1000") int maxOpenDatabases,
        @DefaultValue("4") int readersPerDatabase,
        @DefaultValue("10s") Duration streamIdleTimeout,
        @DefaultValue("5s") Duration busyTimeout,
        @DefaultValue("FULL") Synchronous synchronous,
        @DefaultValue("250ms") Duration usageSpoolInterval) {

    /** The control plane's address of {@code path} (an internal API path): the configured URL may end with a slash. */
    public String controlPlane(String path) {
        return controlPlaneUrl.replaceAll("/+$", "") + path;
    }

    /** Allowed values of SQLite's {@code synchronous} pragma. */
    public enum Synchronous { OFF, NORMAL, FULL, EXTRA }
}
