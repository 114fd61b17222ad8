package dev.libsqlplatform.controlplane.member;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface InviteRepository extends ListCrudRepository<Invite, Long> {

    @Query("SELECT * FROM invites WHERE organization_id = :organizationId ORDER BY created_at, id")
    List<Invite> findByOrganization(String organizationId);

    @Query("SELECT * FROM invites WHERE organization_id = :organizationId AND LOWER(email) = LOWER(:email) "
            + "AND accepted_at IS NULL")
    Optional<Invite> findPending(String organizationId, String email);

    @Query("SELECT * FROM invites WHERE accepted_at IS NULL AND (LOWER(email) = LOWER(:email) OR username = :username) "
            + "ORDER BY created_at, id")
    List<Invite> findPendingFor(String email, String username);

    @Modifying
    @Query("UPDATE invites SET accepted_at = :now WHERE id = :id AND accepted_at IS NULL")
    int accept(long id, long now);

    @Modifying
    @Query("DELETE FROM invites WHERE id = :id")
    int remove(long id);
}
