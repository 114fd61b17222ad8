package dev.libsqlplatform.contract.internalapi;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Body of {@code POST /internal/v1/workers/heartbeat} (docs/internals.md): the worker's identity and capacity and,
 * when it has something to report, a usage report ({@code reportId} + counter deltas per database) that the control
 * plane stores once per {@code reportId}. Null components are left out of the JSON: {@code reportId} and
 * {@code usage} are "both omitted when there is nothing to report". Numbers are boxed: the control plane defaults
 * an absent {@code capacity} (10000) and {@code databases} (0).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerHeartbeat(String id, String url, Long capacity, Long databases, String reportId,
                              List<DatabaseUsage> usage) {

    /** One database's deltas since the last acknowledged report; {@code storageBytes} is its current size. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DatabaseUsage(String databaseId, Long rowsRead, Long rowsWritten, Long storageBytes, Long bytesSynced,
                                List<QueryUsage> queries) {
    }

    /** Aggregates of one SQL text (literals as sent) since the last report. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record QueryUsage(String query, Long rowsRead, Long rowsWritten, Long count) {
    }
}
