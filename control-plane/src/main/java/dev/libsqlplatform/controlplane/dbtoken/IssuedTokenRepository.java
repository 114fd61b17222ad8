package dev.libsqlplatform.controlplane.dbtoken;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface IssuedTokenRepository extends ListCrudRepository<IssuedToken, String> {

    @Query("SELECT * FROM issued_tokens WHERE kind = 'database' AND database_id = :databaseId ORDER BY created_at, id")
    List<IssuedToken> findDatabaseTokens(String databaseId);

    @Query("SELECT * FROM issued_tokens WHERE kind = 'group' AND group_id = :groupId ORDER BY created_at, id")
    List<IssuedToken> findGroupTokens(String groupId);

    /** What a worker must refuse for database D: revoked, unexpired tokens of D and of D's group. */
    @Query("SELECT id FROM issued_tokens WHERE status = 'revoked' AND (expires_at IS NULL OR expires_at > :now) "
            + "AND ((kind = 'database' AND database_id = :databaseId) OR (kind = 'group' AND group_id = :groupId)) ORDER BY id")
    List<String> findRevokedFor(String databaseId, String groupId, long now);

    /** Records of a database's tokens that expired before {@code cutoff}: they open nothing and nothing is pushed for them. */
    @Modifying
    @Query("DELETE FROM issued_tokens WHERE kind = 'database' AND database_id = :databaseId AND expires_at < :cutoff")
    int deleteDatabaseTokensExpiredBefore(String databaseId, long cutoff);

    /** The same for a group's own tokens. */
    @Modifying
    @Query("DELETE FROM issued_tokens WHERE kind = 'group' AND group_id = :groupId AND expires_at < :cutoff")
    int deleteGroupTokensExpiredBefore(String groupId, long cutoff);

    @Modifying
    @Query("UPDATE issued_tokens SET status = 'revoked', revoked_at = :now WHERE id = :id AND status <> 'revoked'")
    int revoke(String id, long now);

    @Modifying
    @Query("UPDATE issued_tokens SET status = 'rotated' WHERE kind = 'database' AND database_id = :databaseId AND status = 'active'")
    int markDatabaseTokensRotated(String databaseId);

    @Modifying
    @Query("UPDATE issued_tokens SET status = 'rotated' WHERE kind = 'group' AND group_id = :groupId AND status = 'active'")
    int markGroupTokensRotated(String groupId);
}
