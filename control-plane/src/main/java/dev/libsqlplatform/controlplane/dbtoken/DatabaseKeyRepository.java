package dev.libsqlplatform.controlplane.dbtoken;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface DatabaseKeyRepository extends ListCrudRepository<DatabaseKey, String> {

    @Query("SELECT * FROM database_keys WHERE database_id = :databaseId ORDER BY created_at DESC")
    List<DatabaseKey> findByDatabase(String databaseId);

    @Modifying
    @Query("DELETE FROM database_keys WHERE database_id = :databaseId")
    int deleteByDatabase(String databaseId);
}
