package dev.libsqlplatform.controlplane.placement;

import java.util.Optional;

import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.worker.Worker;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.springframework.stereotype.Service;

/**
 * Answers workers asking where a database lives (they forward requests for databases they do not host). Only live
 * databases that a worker acknowledged ({@code ready}) have a route; one still provisioning has no worker yet.
 */
@Service
class Routes {

    private final DatabaseService databases;
    private final WorkerService workers;

    Routes(DatabaseService databases, WorkerService workers) {
        this.databases = databases;
        this.workers = workers;
    }

    Optional<DatabaseRoute> find(String databaseId, String label) {
        Optional<Database> db = databaseId != null ? databases.liveById(databaseId)
                : label != null ? databases.liveByLabel(label) : Optional.empty();
        return db.map(d -> {
            Worker w = d.workerId() == null || !Database.READY.equals(d.state()) ? null
                    : workers.find(d.workerId()).orElse(null);
            return w == null ? new DatabaseRoute(d.id(), d.label(), null, null, null)
                    : new DatabaseRoute(d.id(), d.label(), w.id(), w.url(), w.status());
        });
    }
}
