package dev.libsqlplatform.controlplane.apitoken;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface ApiTokenRepository extends ListCrudRepository<ApiToken, String> {

    Optional<ApiToken> findByTokenHash(String tokenHash);

    Optional<ApiToken> findByUserIdAndKind(String userId, String kind);

    Optional<ApiToken> findByUserIdAndName(String userId, String name);

    List<ApiToken> findByUserIdOrderByCreatedAt(String userId);

    @Modifying
    @Query("UPDATE api_tokens SET token_hash = :hash WHERE id = :id")
    int updateHash(String id, String hash);

    List<ApiToken> findByOrganizationIdOrderByCreatedAt(String organizationId);

    List<ApiToken> findByOrganizationIdAndUserIdOrderByCreatedAt(String organizationId, String userId);

    /** {@code POST /v1/auth/invalidate}: the user's minted tokens issued up to {@code validFrom}, except {@code keepId}. */
    @Modifying
    @Query("DELETE FROM api_tokens WHERE user_id = :userId AND kind = 'user' AND id <> :keepId AND created_at <= :validFrom")
    int invalidate(String userId, String keepId, long validFrom);

    /** The same for an organization-bound caller: only the user's tokens bound to {@code organizationId}. */
    @Modifying
    @Query("DELETE FROM api_tokens WHERE user_id = :userId AND kind = 'user' AND id <> :keepId "
            + "AND organization_id = :organizationId AND created_at <= :validFrom")
    int invalidateInOrganization(String userId, String keepId, String organizationId, long validFrom);

    @Modifying
    @Query("DELETE FROM api_tokens WHERE organization_id = :organizationId")
    int deleteByOrganization(String organizationId);
}
