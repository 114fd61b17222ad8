package dev.libsqlplatform.controlplane.organization;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;

import org.springframework.data.repository.ListCrudRepository;

interface MembershipRepository extends ListCrudRepository<Membership, String> {

    Optional<Membership> findByOrganizationIdAndUserId(String organizationId, String userId);

    @Query("SELECT * FROM memberships WHERE organization_id = :organizationId ORDER BY created_at, id")
    List<Membership> findByOrganization(String organizationId);

    @Query("SELECT COUNT(*) FROM memberships WHERE organization_id = :organizationId AND role = 'owner'")
    long countOwners(String organizationId);

    @Modifying
    @Query("UPDATE memberships SET role = :role WHERE id = :id")
    int updateRole(String id, String role);

    @Modifying
    @Query("DELETE FROM memberships WHERE organization_id = :organizationId")
    int deleteByOrganization(String organizationId);
}
