package dev.libsqlplatform.controlplane.worker;

import java.util.List;

import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

interface WorkerRepository extends ListCrudRepository<Worker, String> {

    @Query("SELECT * FROM workers WHERE last_seen >= :since ORDER BY id")
    List<Worker> findSeenSince(long since);

    /** A heartbeat: the worker is up (again). */
    @Modifying
    @Query("UPDATE workers SET url = :url, capacity = :capacity, reported_databases = :databases, last_seen = :now, "
            + "down_since = NULL WHERE id = :id")
    int touch(String id, String url, long capacity, long databases, long now);

    /** Workers silent since before {@code cutoff} that nobody marked down yet. */
    @Query("SELECT * FROM workers WHERE down_since IS NULL AND last_seen < :cutoff ORDER BY id")
    List<Worker> findSilentUp(long cutoff);

    /**
     * Marks one silent worker down unless a heartbeat arrived or another control plane marked it meanwhile: of two
     * control planes, exactly one gets 1 (and logs it).
     */
    @Modifying
    @Query("UPDATE workers SET down_since = :now WHERE id = :id AND down_since IS NULL AND last_seen < :cutoff")
    int markDown(String id, long cutoff, long now);
}
