package dev.libsqlplatform.controlplane.dashboard;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.placement.Drains;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiException;
import dev.libsqlplatform.controlplane.worker.WorkerService;
import org.springframework.stereotype.Service;

/**
 * Every worker that ever reported: health (seen within platform.worker-timeout), databases, last heartbeat, and its
 * drain (state, databases remaining and moving, the last failed move's reason). Draining and undraining go through
 * {@link Drains}, the same methods as {@code /v1/workers/{worker}/drain}, with the same check: the platform
 * administrator only.
 */
@Service
class WorkersPage {

    private static final String WHAT = "managing workers";

    private final WorkerService workers;
    private final Drains drains;
    private final Authorizer authorizer;

    WorkersPage(WorkerService workers, Drains drains, Authorizer authorizer) {
        this.workers = workers;
        this.drains = drains;
        this.authorizer = authorizer;
    }

    /** {@code drain}: null unless the worker is draining. */
    record Row(String id, String url, boolean live, long placedDatabases, long reportedDatabases, long capacity,
               String lastHeartbeat, String registered, Drains.DrainView drain) {
    }

    List<Row> rows() {
        Map<String, Drains.WorkerView> views = drains.list().stream()
                .collect(Collectors.toMap(Drains.WorkerView::id, Function.identity()));
        return workers.all().stream().map(w -> {
            Drains.WorkerView v = views.get(w.id());
            return new Row(w.id(), w.url(), workers.isLive(w), v == null ? 0 : v.databases(), w.reportedDatabases(),
                    w.capacity(), Format.time(w.lastSeen()), Format.time(w.registeredAt()), v == null ? null : v.drain());
        }).toList();
    }

    /** Whether the caller may drain workers (the page offers the buttons only then). */
    boolean mayDrain(Caller caller) {
        try {
            authorizer.requirePlatformAdministrator(caller, WHAT);
            return true;
        } catch (ApiException e) {
            return false;
        }
    }

    /** As {@code POST /v1/workers/{worker}/drain}: 403 unless the platform administrator, 409 for the last live one. */
    Drains.WorkerView drain(Caller caller, String worker) {
        authorizer.requirePlatformAdministrator(caller, WHAT);
        return drains.drain(worker);
    }

    /** As {@code DELETE /v1/workers/{worker}/drain}. */
    Drains.WorkerView undrain(Caller caller, String worker) {
        authorizer.requirePlatformAdministrator(caller, WHAT);
        return drains.undrain(worker);
    }
}
