package dev.libsqlplatform.controlplane.group;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface DbGroupRepository extends ListCrudRepository<DbGroup, String> {

    @Query("SELECT * FROM db_groups WHERE organization_id = :organizationId AND name = :name AND deleted_at IS NULL")
    Optional<DbGroup> findLive(String organizationId, String name);

    @Query("SELECT * FROM db_groups WHERE organization_id = :organizationId AND deleted_at IS NULL ORDER BY name")
    List<DbGroup> findLiveByOrganization(String organizationId);

    @Query("SELECT COUNT(*) FROM db_groups WHERE organization_id = :organizationId AND deleted_at IS NULL")
    long countLive(String organizationId);

    @Modifying
    @Query("UPDATE db_groups SET delete_protection = :deleteProtection WHERE id = :id")
    int updateDeleteProtection(String id, boolean deleteProtection);

    @Modifying
    @Query("UPDATE db_groups SET extra_locations = :extraLocations WHERE id = :id")
    int updateExtraLocations(String id, String extraLocations);

    @Modifying
    @Query("UPDATE db_groups SET name = :name WHERE id = :id AND deleted_at IS NULL")
    int rename(String id, String name);

    @Modifying
    @Query("UPDATE db_groups SET organization_id = :organizationId WHERE id = :id AND deleted_at IS NULL")
    int moveToOrganization(String id, String organizationId);

    @Modifying
    @Query("UPDATE db_groups SET deleted_at = :now WHERE id = :id AND deleted_at IS NULL")
    int markDeleted(String id, long now);
}
