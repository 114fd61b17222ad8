package dev.libsqlplatform.controlplane.placement;

import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The {@code database_moves} table (migration V60, which states the invariants): hand-written statements, each a
 * single conditional write, so two control planes sharing the database never create, drive or finish one move twice.
 */
@Repository
class Moves {

    static final String COPYING = "copying";
    static final String CLEANUP = "cleanup";
    /**
     * Given up before the switch (the drain stopped, the database was deleted or changed): the row stays until the
     * source's fence is lifted and the target's copy removed, both retried every round ({@code Mover}), so neither a
     * fenced source nor a copy of the database on the target outlives a failed call.
     */
    static final String ABANDONED = "abandoned";

    /** One move as stored. */
    record Move(String databaseId, String sourceWorkerId, String targetWorkerId, String phase, String owner,
                long leaseUntil, int attempts, long startedAt, long updatedAt, String lastError) {
    }

    private static final String SELECT = "SELECT database_id, source_worker_id, target_worker_id, phase, owner, "
            + "lease_until, attempts, started_at, updated_at, last_error FROM database_moves ";

    private final JdbcClient jdbc;

    Moves(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** Creates the move unless the database has one already (then 0). */
    int create(String databaseId, String source, String target, long now) {
        return jdbc.sql("INSERT INTO database_moves (database_id, source_worker_id, target_worker_id, phase, owner, "
                        + "lease_until, attempts, started_at, updated_at) VALUES (?, ?, ?, 'copying', NULL, 0, 0, ?, ?) "
                        + "ON CONFLICT (database_id) DO NOTHING")
                .params(databaseId, source, target, now, now).update();
    }

    /**
     * A copy on {@code workerId} of a database not routed there ({@link StrayCopies}): an abandoned move from and to
     * that worker, so {@code Mover} deletes the copy there; created only if the database has no move (then 0).
     */
    int createAbandoned(String databaseId, String workerId, String why, long now) {
        return jdbc.sql("INSERT INTO database_moves (database_id, source_worker_id, target_worker_id, phase, owner, "
                        + "lease_until, attempts, started_at, updated_at, last_error) "
                        + "VALUES (?, ?, ?, 'abandoned', NULL, 0, 0, ?, ?, ?) ON CONFLICT (database_id) DO NOTHING")
                .params(databaseId, workerId, workerId, now, now, why).update();
    }

    List<Move> all() {
        return jdbc.sql(SELECT + "ORDER BY started_at, database_id").query(Move.class).list();
    }

    List<Move> fromWorker(String workerId) {
        return jdbc.sql(SELECT + "WHERE source_worker_id = ? ORDER BY started_at, database_id").param(workerId)
                .query(Move.class).list();
    }

    Optional<Move> find(String databaseId) {
        return jdbc.sql(SELECT + "WHERE database_id = ?").param(databaseId).query(Move.class).optional();
    }

    /**
     * Takes (or renews) the lease on a move: 1 when this control plane ({@code owner}) may drive it until
     * {@code until}; 0 while another one holds an unexpired lease.
     */
    int claim(String databaseId, String owner, long now, long until) {
        return jdbc.sql("UPDATE database_moves SET owner = ?, lease_until = ? WHERE database_id = ? "
                        + "AND (owner IS NULL OR owner = ? OR lease_until < ?)")
                .params(owner, until, databaseId, owner, now).update();
    }

    /** A failed attempt (the move stays, retried next round). */
    int recordError(String databaseId, String owner, String error, long now) {
        return jdbc.sql("UPDATE database_moves SET attempts = attempts + 1, last_error = ?, updated_at = ? "
                        + "WHERE database_id = ? AND owner = ?")
                .params(error, now, databaseId, owner).update();
    }

    /** Another target (the previous one died or is draining now); only from the target it had. */
    int retarget(String databaseId, String owner, String fromTarget, String toTarget, long now) {
        return jdbc.sql("UPDATE database_moves SET target_worker_id = ?, updated_at = ? WHERE database_id = ? "
                        + "AND owner = ? AND target_worker_id = ? AND phase = 'copying'")
                .params(toTarget, now, databaseId, owner, fromTarget).update();
    }

    /** The move is given up before the switch: what is left is unfencing the source and removing the target's copy. */
    int markAbandoned(String databaseId, String why, long now) {
        return jdbc.sql("UPDATE database_moves SET phase = 'abandoned', last_error = ?, updated_at = ? "
                        + "WHERE database_id = ? AND phase = 'copying'").params(why, now, databaseId).update();
    }

    /** The route switched: what is left is deleting the source's copy. */
    int markCleanup(String databaseId, long now) {
        return jdbc.sql("UPDATE database_moves SET phase = 'cleanup', last_error = NULL, updated_at = ? "
                        + "WHERE database_id = ? AND phase = 'copying'").params(now, databaseId).update();
    }

    int delete(String databaseId) {
        return jdbc.sql("DELETE FROM database_moves WHERE database_id = ?").param(databaseId).update();
    }
}
