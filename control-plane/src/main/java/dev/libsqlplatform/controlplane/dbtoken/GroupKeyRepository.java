package dev.libsqlplatform.controlplane.dbtoken;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface GroupKeyRepository extends ListCrudRepository<GroupKey, String> {

    @Query("SELECT * FROM group_keys WHERE group_id = :groupId ORDER BY created_at DESC")
    List<GroupKey> findByGroup(String groupId);

    @Modifying
    @Query("DELETE FROM group_keys WHERE group_id = :groupId")
    int deleteByGroup(String groupId);
}
