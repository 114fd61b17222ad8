package dev.libsqlplatform.controlplane.worker;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

public interface WorkerRepository extends ListCrudRepository<Worker, String> {

    @Query("SELECT * FROM workers WHERE last_seen >= :since ORDER BY id")
    List<Worker> findSeenSince(long since);

    @Modifying
    @Query("UPDATE workers SET url = :url, capacity = :capacity, reported_databases = :databases, last_seen = :now WHERE id = :id")
    int touch(String id, String url, long capacity, long databases, long now);
}
