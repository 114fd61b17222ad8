package dev.libsqlplatform.controlplane.user;

import java.util.Optional;

import org.springframework.data.repository.ListCrudRepository;

public interface MembershipRepository extends ListCrudRepository<Membership, String> {

    Optional<Membership> findByOrganizationIdAndUserId(String organizationId, String userId);
}
