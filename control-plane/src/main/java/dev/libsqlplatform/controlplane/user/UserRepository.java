package dev.libsqlplatform.controlplane.user;

import java.util.Optional;

import org.springframework.data.repository.ListCrudRepository;

interface UserRepository extends ListCrudRepository<User, String> {

    Optional<User> findByUsername(String username);

    /** Open invites addressed to this e-mail address or username, to organizations that still exist. */
    @org.springframework.data.jdbc.repository.query.Query("SELECT COUNT(*) FROM invites i JOIN organizations o "
            + "ON o.id = i.organization_id WHERE i.accepted_at IS NULL AND o.deleted_at IS NULL "
            + "AND (LOWER(i.email) = LOWER(:email) OR i.username = :username)")
    long countPendingInvites(String email, String username);

    @org.springframework.data.jdbc.repository.query.Query("SELECT COUNT(*) FROM invites i JOIN organizations o "
            + "ON o.id = i.organization_id WHERE i.accepted_at IS NULL AND o.deleted_at IS NULL "
            + "AND i.organization_id = :organizationId AND (LOWER(i.email) = LOWER(:email) OR i.username = :username)")
    long countPendingInvitesTo(String email, String username, String organizationId);
}
