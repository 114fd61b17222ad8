package dev.libsqlplatform.controlplane.worker;

import java.util.List;

/**
 * Body of {@code POST /internal/v1/workers/heartbeat} (docs/internals.md): identity, capacity and, since issue 4,
 * a usage report ({@code reportId} + counter deltas per database) that is stored once per {@code reportId}.
 */
public record WorkerHeartbeat(String id, String url, Long capacity, Long databases, String reportId,
                              List<DatabaseUsage> usage) {

    public record DatabaseUsage(String databaseId, Long rowsRead, Long rowsWritten, Long storageBytes, Long bytesSynced,
                                List<QueryUsage> queries) {
    }

    public record QueryUsage(String query, Long rowsRead, Long rowsWritten, Long count) {
    }
}
