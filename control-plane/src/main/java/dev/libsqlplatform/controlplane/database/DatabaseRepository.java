package dev.libsqlplatform.controlplane.database;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface DatabaseRepository extends ListCrudRepository<Database, String> {

    @Query("SELECT * FROM databases WHERE organization_id = :organizationId AND name = :name AND deleted_at IS NULL")
    Optional<Database> findLive(String organizationId, String name);

    /** The live database holding hostname label {@code label}, in any organization. */
    @Query("SELECT * FROM databases WHERE label = :label AND deleted_at IS NULL")
    Optional<Database> findLiveByLabel(String label);

    /** Databases being deleted that still held {@code label}: their worker may still route it. */
    @Query("SELECT id FROM databases WHERE label = :label AND state = 'deleting' ORDER BY created_at")
    List<String> findDeletingIdsByLabel(String label);

    @Query("SELECT * FROM databases WHERE organization_id = :organizationId AND deleted_at IS NULL ORDER BY name")
    List<Database> findLiveByOrganization(String organizationId);

    @Query("SELECT * FROM databases WHERE organization_id = :organizationId AND group_id = :groupId AND deleted_at IS NULL ORDER BY name")
    List<Database> findLiveByGroup(String organizationId, String groupId);

    /** Live databases whose lower-cased name is LIKE {@code pattern} (backslash escapes), for the dashboard list. */
    @Query("SELECT COUNT(*) FROM databases WHERE organization_id = :organizationId AND deleted_at IS NULL "
            + "AND LOWER(name) LIKE :pattern ESCAPE '\\'")
    long countLiveMatching(String organizationId, String pattern);

    @Query("SELECT * FROM databases WHERE organization_id = :organizationId AND deleted_at IS NULL "
            + "AND LOWER(name) LIKE :pattern ESCAPE '\\' ORDER BY name LIMIT :limit OFFSET :offset")
    List<Database> findLivePage(String organizationId, String pattern, int limit, int offset);

    /** What the quota counts: every database not being deleted. */
    @Query("SELECT COUNT(*) FROM databases WHERE organization_id = :organizationId AND deleted_at IS NULL")
    long countLive(String organizationId);

    @Query("SELECT COUNT(*) FROM databases WHERE worker_id = :workerId")
    long countByWorker(String workerId);

    /** Databases whose actual state differs from the desired one. */
    @Query("SELECT id FROM databases WHERE state = 'provisioning' OR state = 'deleting' "
            + "OR (state = 'ready' AND pushed_version < config_version) ORDER BY created_at")
    List<String> findPendingIds();

    @Modifying
    @Query("UPDATE databases SET state = 'deleting', deleted_at = :now, updated_at = :now "
            + "WHERE id = :id AND deleted_at IS NULL")
    int markDeleting(String id, long now);

    @Modifying
    @Query("UPDATE databases SET state = 'deleting', deleted_at = :now, updated_at = :now "
            + "WHERE group_id = :groupId AND deleted_at IS NULL")
    int markDeletingByGroup(String groupId, long now);

    /** Placement happens once: only when no worker was chosen yet. */
    @Modifying
    @Query("UPDATE databases SET worker_id = :workerId, updated_at = :now WHERE id = :id AND worker_id IS NULL")
    int assignWorker(String id, String workerId, long now);

    /** The worker acknowledged {@code version}: provisioning becomes ready. */
    @Modifying
    @Query("UPDATE databases SET pushed_version = :version, last_error = NULL, updated_at = :now, "
            + "state = CASE WHEN state = 'provisioning' THEN 'ready' ELSE state END "
            + "WHERE id = :id AND state IN ('provisioning', 'ready') AND pushed_version < :version")
    int markPushed(String id, long version, long now);

    /** Group transfer: the database now belongs to {@code organizationId}; the worker must learn it (new label). */
    @Modifying
    @Query("UPDATE databases SET organization_id = :organizationId, label = :label, max_bytes = :maxBytes, "
            + "config_version = config_version + 1, updated_at = :now WHERE id = :id AND deleted_at IS NULL")
    int moveToOrganization(String id, String organizationId, String label, long maxBytes, long now);

    @Modifying
    @Query("UPDATE databases SET config_version = config_version + 1, updated_at = :now WHERE id = :id")
    int bumpConfigVersion(String id, long now);

    @Modifying
    @Query("UPDATE databases SET size_limit = :sizeLimit, max_bytes = :maxBytes, block_reads = :blockReads, "
            + "block_writes = :blockWrites, delete_protection = :deleteProtection, allowed_ips = :allowedIps, "
            + "allowed_aws_vpc_ids = :allowedAwsVpcIds, config_version = config_version + 1, updated_at = :now "
            + "WHERE id = :id AND deleted_at IS NULL")
    int updateConfiguration(String id, Long sizeLimit, long maxBytes, boolean blockReads, boolean blockWrites,
                            boolean deleteProtection, String allowedIps, String allowedAwsVpcIds, long now);

    /** The quota enforcer's part of the push; 0 when nothing changed (no push needed). */
    @Modifying
    @Query("UPDATE databases SET max_bytes = :maxBytes, quota_block_reads = :reads, quota_block_writes = :writes, "
            + "quota_reason = :reason, storage_reason = :storageReason, config_version = config_version + 1, "
            + "updated_at = :now WHERE id = :id AND deleted_at IS NULL AND (max_bytes <> :maxBytes "
            + "OR quota_block_reads <> :reads OR quota_block_writes <> :writes "
            + "OR COALESCE(quota_reason, '') <> COALESCE(:reason, '') "
            + "OR COALESCE(storage_reason, '') <> COALESCE(:storageReason, ''))")
    int updateQuota(String id, long maxBytes, boolean reads, boolean writes, String reason, String storageReason,
                    long now);

    @Query("SELECT * FROM databases WHERE id = :id AND deleted_at IS NULL")
    Optional<Database> findLiveById(String id);

    @Modifying
    @Query("UPDATE databases SET last_error = :error WHERE id = :id")
    int recordError(String id, String error);

    @Modifying
    @Query("DELETE FROM databases WHERE id = :id AND state = 'deleting'")
    int removeDeleted(String id);

    /** Every database row (live or deleting) placed on {@code workerId}: the copies it should hold. */
    @Query("SELECT id FROM databases WHERE worker_id = :workerId")
    List<String> findIdsOnWorker(String workerId);

    /** Ready databases placed on {@code workerId}: what a drain still has to move. */
    @Query("SELECT id FROM databases WHERE worker_id = :workerId AND state = 'ready' ORDER BY created_at")
    List<String> findReadyIdsOnWorker(String workerId);

    /**
     * A move's route switch: the database now lives on {@code target}, which acknowledged configuration
     * {@code version} (the import carried it). Conditional on the database still being ready on {@code source}, so of
     * two attempts exactly one switches, and a database deleted or already moved is left alone.
     */
    @Modifying
    @Query("UPDATE databases SET worker_id = :target, pushed_version = :version, last_error = NULL, updated_at = :now "
            + "WHERE id = :id AND worker_id = :source AND state = 'ready'")
    int switchWorker(String id, String source, String target, long version, long now);
}
