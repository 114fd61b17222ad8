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

    /**
     * Marks a worker draining while at least one OTHER live, non-draining worker remains (its databases need a
     * target). 0 when it is draining already, unknown, or the last one.
     */
    @Modifying
    @Query("UPDATE workers SET draining_since = :now WHERE id = :id AND draining_since IS NULL AND EXISTS ("
            + "SELECT 1 FROM workers o WHERE o.id <> :id AND o.draining_since IS NULL AND o.down_since IS NULL "
            + "AND o.last_seen >= :liveSince)")
    int markDraining(String id, long now, long liveSince);

    @Modifying
    @Query("UPDATE workers SET draining_since = NULL WHERE id = :id AND draining_since IS NOT NULL")
    int stopDraining(String id);
}
