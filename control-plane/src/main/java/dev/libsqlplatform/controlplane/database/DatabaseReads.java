package dev.libsqlplatform.controlplane.database;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The hot reads of the Platform API, {@code GET .../databases} and {@code GET .../databases/{db}}, as one hand-written
 * query each: the database row joined with its group (name, location) and its worker (down or not). Through the
 * repositories they took a query per group list, per worker and per database row, each through Spring Data JDBC's
 * mapping; at 5,000 databases that dominated the request. Reads only: writes keep going through
 * {@link DatabaseService} and its invariants.
 */
@Component
class DatabaseReads {

    private static final String SELECT = "SELECT d.id, d.name, d.state, d.block_reads, d.block_writes, "
            + "d.quota_block_reads, d.quota_block_writes, d.quota_reason, d.delete_protection, d.worker_id, g.name AS group_name, g.primary_location, w.id AS w_id, w.down_since, w.draining_since "
            + "FROM databases d "
            + "LEFT JOIN db_groups g ON g.id = d.group_id "
            + "LEFT JOIN workers w ON w.id = d.worker_id ";

    private static final String SELECT_WITH_REPLICATION = SELECT.replace(" FROM databases d ",
            ", " + ReplicationStates.COLUMNS + "FROM databases d ")
            + "LEFT JOIN database_replication s ON s.database_id = d.id " + ReplicationStates.JOIN_REPLICAS;

    private final JdbcClient jdbc;

    DatabaseReads(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * A live database as the API shows it; hostname and fallbacks are the caller's. The blocks are the effective ones
     * (the configuration's or the quota enforcer's), with {@link Database#blockReason()}'s reason (null: none).
     */
    record Row(String id, String name, String state, boolean blockReads, boolean blockWrites, String blockReason,
               boolean deleteProtection, String groupName, String primaryLocation, String workerStatus) {
    }

    /**
     * {@link #one} with the database's replication state (null: never reported), in the same statement: a get was a
     * second round trip for it.
     */
    Optional<Found> oneWithReplication(String organizationId, String name) {
        List<Row> found = new java.util.ArrayList<>(1);
        List<ReplicationView> head = new java.util.ArrayList<>(1);
        List<ReplicationView.ReplicaView> replicas = new java.util.ArrayList<>();
        jdbc.sql(SELECT_WITH_REPLICATION + "WHERE d.organization_id = ? AND d.name = ? AND d.deleted_at IS NULL "
                        + ReplicationStates.ORDER)
                .param(organizationId).param(name).query(rs -> {
                    if (found.isEmpty()) {
                        found.add(row(rs, 0));
                        head.add(ReplicationStates.head(rs, replicas));
                    }
                    ReplicationStates.addReplica(rs, replicas);
                });
        return found.isEmpty() ? Optional.empty()
                : Optional.of(new Found(found.get(0), head.get(0)));
    }

    /** A database row and its replication state (null: never reported). */
    record Found(Row row, ReplicationView replication) {
    }

    Optional<Row> one(String organizationId, String name) {
        return jdbc.sql(SELECT + "WHERE d.organization_id = ? AND d.name = ? AND d.deleted_at IS NULL")
                .param(organizationId).param(name).query(DatabaseReads::row).optional();
    }

    /**
     * Live databases in name order, after {@code afterName} (exclusive; null = from the start), at most {@code limit}
     * (0 = all), optionally only those of the live group {@code groupName}.
     */
    List<Row> page(String organizationId, String groupName, String afterName, int limit) {
        StringBuilder sql = new StringBuilder(SELECT).append("WHERE d.organization_id = ? AND d.deleted_at IS NULL");
        List<Object> params = new java.util.ArrayList<>(List.of(organizationId));
        if (groupName != null) {
            sql.append(" AND g.name = ? AND g.deleted_at IS NULL");
            params.add(groupName);
        }
        if (afterName != null) {
            sql.append(" AND d.name > ?");
            params.add(afterName);
        }
        sql.append(" ORDER BY d.name");
        if (limit > 0) {
            sql.append(" LIMIT ?");
            params.add(limit);
        }
        return jdbc.sql(sql.toString()).params(params).query(DatabaseReads::row).list();
    }

    private static final String QUOTA_COLUMNS = "d.id, d.size_limit, d.max_bytes, d.quota_block_reads, "
            + "d.quota_block_writes, d.quota_reason, d.storage_reason FROM databases d ";

    /** The live databases of an organization with what the quota enforcer compares and writes, no other column. */
    List<DatabaseService.QuotaRow> quotaRows(String organizationId) {
        return jdbc.sql("SELECT " + QUOTA_COLUMNS + "WHERE d.organization_id = ? AND d.deleted_at IS NULL")
                .param(organizationId).query(DatabaseReads::quotaRow).list();
    }

    /** {@link #quotaRows} of one live database of the organization (empty: deleted or another organization's). */
    Optional<DatabaseService.QuotaRow> quotaRow(String organizationId, String databaseId) {
        return jdbc.sql("SELECT " + QUOTA_COLUMNS + "WHERE d.id = ? AND d.organization_id = ? AND d.deleted_at IS NULL")
                .param(databaseId).param(organizationId).query(DatabaseReads::quotaRow).optional();
    }

    /**
     * The latest storage readings of the organization's live databases, summed in the store (what the quota counts);
     * the enforcer used to map every database row to add them up.
     */
    long liveStorageBytes(String organizationId) {
        return jdbc.sql("SELECT COALESCE(SUM(s.storage_bytes), 0) FROM databases d "
                        + "JOIN database_storage s ON s.database_id = d.id "
                        + "WHERE d.organization_id = ? AND d.deleted_at IS NULL")
                .param(organizationId).query(Long.class).single();
    }

    private static DatabaseService.QuotaRow quotaRow(ResultSet rs, int n) throws SQLException {
        long sizeLimit = rs.getLong("size_limit");
        Long limit = rs.wasNull() ? null : sizeLimit;
        return new DatabaseService.QuotaRow(rs.getString("id"), limit, rs.getLong("max_bytes"),
                rs.getBoolean("quota_block_reads"), rs.getBoolean("quota_block_writes"), rs.getString("quota_reason"),
                rs.getString("storage_reason"));
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        String workerStatus = rs.getString("w_id") == null ? null
                : rs.getObject("down_since") != null ? "down" : rs.getObject("draining_since") != null ? "draining" : "up";
        boolean blockReads = rs.getBoolean("block_reads"), blockWrites = rs.getBoolean("block_writes");
        boolean quotaReads = rs.getBoolean("quota_block_reads"), quotaWrites = rs.getBoolean("quota_block_writes");
        return new Row(rs.getString("id"), rs.getString("name"), rs.getString("state"), blockReads || quotaReads,
                blockWrites || quotaWrites,
                Database.blockReason(blockReads, blockWrites, quotaReads, quotaWrites, rs.getString("quota_reason")),
                rs.getBoolean("delete_protection"), rs.getString("group_name"), rs.getString("primary_location"),
                workerStatus);
    }
}
