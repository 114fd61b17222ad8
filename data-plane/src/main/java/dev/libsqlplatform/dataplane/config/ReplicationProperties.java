package dev.libsqlplatform.dataplane.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Replication ({@code platform.worker.replication.*}): the per-database frame log and the protocols that serve it.
 *
 * @param enabled          keep a durable frame log per database and serve embedded replicas (default true). Off only
 *                         to measure what the log costs (the benchmark does): replicas then get UNAVAILABLE.
 * @param checkpointFrames WAL frames after which the writer checkpoints them into the database file, once they are
 *                         in the log (default 1000, SQLite's own automatic threshold)
 * @param maxLogFrames     frames (4 KiB each) the log keeps after its snapshot before it rolls the snapshot forward
 *                         over them (default 16384 = 64 MiB)
 * @param maxBatchFrames   frames per {@code BatchLogEntries} answer (default 1024, as sqld)
 * @param walSynchronous   SQLite {@code synchronous} of tenant databases while the log is on (default NORMAL): the
 *                         log's fsync is then the one flush per commit (the WAL is flushed by checkpoints, and what a
 *                         power loss takes from it is put back from the log at open). FULL also flushes the WAL at
 *                         every commit (two flushes per write, kept to measure the difference); OFF is refused, since
 *                         checkpoints must flush the database before SQLite may restart the WAL.
 *                         {@code platform.worker.synchronous} applies only with the log off.
 */
@ConfigurationProperties(prefix = "platform.worker.replication")
public record ReplicationProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("1000") int checkpointFrames,
        @DefaultValue("16384") long maxLogFrames,
        @DefaultValue("1024") int maxBatchFrames,
        @DefaultValue("NORMAL") WorkerProperties.Synchronous walSynchronous) {

    public ReplicationProperties {
        if (walSynchronous == WorkerProperties.Synchronous.OFF) {
            throw new IllegalArgumentException("platform.worker.replication.wal-synchronous=OFF is not allowed: with"
                    + " the frame log on, checkpoints must still flush the database file (NORMAL or FULL)");
        }
    }
}
