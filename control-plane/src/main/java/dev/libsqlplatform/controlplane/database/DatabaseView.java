package dev.libsqlplatform.controlplane.database;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Reference §3.1 superset, plus {@code state} (provisioning | ready), {@code worker_status}: {@code up}, or
 * {@code down} while the worker hosting the database misses its heartbeats (SQL then answers
 * {@code DATABASE_UNAVAILABLE}), or {@code draining} while that worker is drained (the database is about to move;
 * SQL is served meanwhile); null before the database is placed; and {@code block_reason} (why
 * {@code block_reads}/{@code block_writes}, which include the organization's quota blocks, are set; empty when
 * nothing is); and, on {@code GET .../databases/{db}} only, once the hosting worker reported it, {@code replication}
 * ({@link ReplicationView}).
 */
@JsonPropertyOrder({"Name", "DbId", "Hostname", "hostname"})
public record DatabaseView(
        @JsonProperty("Name") String name,
        @JsonProperty("DbId") String dbId,
        @JsonProperty("Hostname") String hostnameUpper,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("block_reads") boolean blockReads,
        @JsonProperty("block_writes") boolean blockWrites,
        @JsonProperty("allow_attach") boolean allowAttach,
        @JsonProperty("delete_protection") boolean deleteProtection,
        @JsonProperty("regions") List<String> regions,
        @JsonProperty("primaryRegion") String primaryRegion,
        @JsonProperty("group") String group,
        @JsonProperty("type") String type,
        @JsonProperty("database_type") String databaseType,
        @JsonProperty("version") String version,
        @JsonProperty("is_schema") boolean isSchema,
        @JsonProperty("schema") String schema,
        @JsonProperty("sleeping") boolean sleeping,
        @JsonProperty("archived") boolean archived,
        @JsonProperty("parent") @JsonInclude(JsonInclude.Include.ALWAYS) Object parent,
        @JsonProperty("state") String state,
        @JsonProperty("worker_status") @JsonInclude(JsonInclude.Include.ALWAYS) String workerStatus,
        @JsonProperty("block_reason") String blockReason,
        @JsonProperty("replication") @JsonInclude(JsonInclude.Include.NON_NULL) ReplicationView replication) {

    public static final String VERSION = "0.1.0";

    static DatabaseView of(Database db, String hostname, String group, String location, String workerStatus) {
        return new DatabaseView(db.name(), db.id(), hostname, hostname, db.effectiveBlockReads(), db.effectiveBlockWrites(), false,
                db.deleteProtection(), List.of(location), location, group, "logical", "libsql", VERSION, false, "",
                false, false, null, db.state(), workerStatus, db.blockReason() == null ? "" : db.blockReason(), null);
    }

    static DatabaseView of(DatabaseReads.Row r, String hostname, String group, String location) {
        return new DatabaseView(r.name(), r.id(), hostname, hostname, r.blockReads(), r.blockWrites(), false,
                r.deleteProtection(), List.of(location), location, group, "logical", "libsql", VERSION, false, "",
                false, false, null, r.state(), r.workerStatus(), r.blockReason() == null ? "" : r.blockReason(), null);
    }

    DatabaseView withReplication(ReplicationView current) {
        return new DatabaseView(name, dbId, hostnameUpper, hostname, blockReads, blockWrites, allowAttach,
                deleteProtection, regions, primaryRegion, group, type, databaseType, version, isSchema, schema, sleeping,
                archived, parent, state, workerStatus, blockReason, current);
    }

    /** Create answers only {@code {"DbId","Hostname","Name"}}. */
    public record Created(@JsonProperty("DbId") String dbId, @JsonProperty("Hostname") String hostname,
                          @JsonProperty("Name") String name) {
    }
}
