package dev.libsqlplatform.controlplane.organization;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface OrganizationRepository extends ListCrudRepository<Organization, String> {

    Optional<Organization> findBySlug(String slug);

    @Query("SELECT o.* FROM organizations o JOIN memberships m ON m.organization_id = o.id "
            + "WHERE m.user_id = :userId AND o.deleted_at IS NULL ORDER BY o.slug")
    List<Organization> findByMember(String userId);

    @Query("SELECT o.* FROM organizations o JOIN memberships m ON m.organization_id = o.id "
            + "WHERE m.user_id = :userId AND o.deleted_at IS NULL "
            + "ORDER BY CASE WHEN m.role = 'owner' THEN 0 ELSE 1 END, m.created_at, o.slug")
    List<Organization> findOwnFirst(String userId);

    /**
     * Serialises quota-checked writes of one organization: must be the FIRST statement of the transaction
     * (row lock in PostgreSQL; SQLite transactions already hold the write lock from BEGIN IMMEDIATE).
     */
    @Modifying
    @Query("UPDATE organizations SET overages = :overages, require_mfa = :requireMfa WHERE id = :id")
    int updateSettings(String id, boolean overages, boolean requireMfa);

    @Modifying
    @Query("UPDATE organizations SET slug = :newSlug, deleted_at = :now WHERE id = :id AND deleted_at IS NULL")
    int markDeleted(String id, String newSlug, long now);

    @Modifying
    @Query("UPDATE organizations SET plan_id = :planId WHERE id = :id")
    int updatePlan(String id, String planId);

    @Modifying
    @Query("UPDATE organizations SET plan_id = :planId, overages = :overages WHERE id = :id")
    int updateSubscription(String id, String planId, boolean overages);

    /** The enforcer's decision; 0 when it is already the recorded one (nothing to push). */
    @Modifying
    @Query("UPDATE organizations SET blocked_reads = :reads, blocked_writes = :writes, block_reason = :reason "
            + "WHERE id = :id AND (blocked_reads <> :reads OR blocked_writes <> :writes "
            + "OR COALESCE(block_reason, '') <> COALESCE(:reason, ''))")
    int updateBlocks(String id, boolean reads, boolean writes, String reason);

    @Query("SELECT id FROM organizations WHERE deleted_at IS NULL AND (blocked_reads OR blocked_writes)")
    List<String> findBlockedIds();

    @Modifying
    @Query("UPDATE organizations SET lock_version = lock_version + 1 WHERE id = :id")
    int lock(String id);
}
