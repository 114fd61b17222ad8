package dev.libsqlplatform.controlplane.dashboard;

import java.util.List;

import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.springframework.stereotype.Service;

/** Every worker that ever reported: health (seen within platform.worker-timeout), databases, last heartbeat. */
@Service
class WorkersPage {

    private final WorkerService workers;
    private final DatabaseService databases;

    WorkersPage(WorkerService workers, DatabaseService databases) {
        this.workers = workers;
        this.databases = databases;
    }

    record Row(String id, String url, boolean live, long placedDatabases, long reportedDatabases, long capacity,
               String lastHeartbeat, String registered) {
    }

    List<Row> rows() {
        return workers.all().stream().map(w -> new Row(w.id(), w.url(), workers.isLive(w),
                databases.countOnWorker(w.id()), w.reportedDatabases(), w.capacity(), Format.time(w.lastSeen()),
                Format.time(w.registeredAt()))).toList();
    }
}
