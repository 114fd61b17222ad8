package dev.libsqlplatform.controlplane.worker;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.libsqlplatform.contract.internalapi.WorkerHeartbeat;
import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

@Service
public class WorkerService {

    private static final Logger log = LoggerFactory.getLogger(WorkerService.class);

    private final WorkerRepository workers;
    private final JdbcAggregateTemplate aggregates;
    private final PlatformProperties properties;
    private final ApplicationEventPublisher events;

    WorkerService(WorkerRepository workers, JdbcAggregateTemplate aggregates, PlatformProperties properties,
                  ApplicationEventPublisher events) {
        this.workers = workers;
        this.aggregates = aggregates;
        this.properties = properties;
        this.events = events;
    }

    /** Upsert by id; a new worker, or one back after the timeout, wakes the reconciler. */
    @Transactional
    public void heartbeat(WorkerHeartbeat beat) {
        if (beat == null || beat.id() == null || beat.id().isBlank() || beat.url() == null || beat.url().isBlank()) {
            throw ApiError.BAD_REQUEST.exception("heartbeat needs id and url");
        }
        URI url;
        try {
            url = URI.create(beat.url());
        } catch (IllegalArgumentException e) {
            throw ApiError.BAD_REQUEST.exception("invalid worker url");
        }
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) {
            throw ApiError.BAD_REQUEST.exception("invalid worker url");
        }
        long now = Ids.now();
        long capacity = beat.capacity() != null ? beat.capacity() : 10_000;
        long count = beat.databases() != null ? beat.databases() : 0;
        Optional<Worker> previous = workers.findById(beat.id());
        if (previous.isPresent()) {
            workers.touch(beat.id(), beat.url(), capacity, count, now);
            Worker before = previous.get();
            if (before.downSince() != null) {
                log.warn("worker {} at {} is UP again (it was down for {} s, silent for {} s)", beat.id(), beat.url(),
                        (now - before.downSince()) / 1000, (now - before.lastSeen()) / 1000);
                events.publishEvent(new WorkerEvents(beat.id()));
            } else if (before.lastSeen() < now - properties.workerTimeout().toMillis()) {
                log.info("worker {} at {} is back", beat.id(), beat.url());
                events.publishEvent(new WorkerEvents(beat.id()));
            }
        } else {
            aggregates.insert(new Worker(beat.id(), beat.url(), capacity, count, now, now, null, null));
            log.info("worker {} registered at {} (capacity {})", beat.id(), beat.url(), capacity);
            events.publishEvent(new WorkerEvents(beat.id()));
        }
    }

    /**
     * Marks every worker silent for longer than {@code platform.worker-timeout} down, loudly: an ERROR line per
     * worker, once (the conditional UPDATE lets exactly one control plane win). Returns how many it marked.
     */
    @Transactional
    public int markSilentWorkersDown() {
        long now = Ids.now();
        Duration timeout = properties.workerTimeout();
        long cutoff = now - timeout.toMillis();
        int marked = 0;
        for (Worker w : workers.findSilentUp(cutoff)) {
            if (workers.markDown(w.id(), cutoff, now) == 1) {
                marked++;
                log.error("worker {} at {} is DOWN: no heartbeat for {} s (timeout {} s); the databases it hosts "
                        + "answer DATABASE_UNAVAILABLE until it is back", w.id(), w.url(), (now - w.lastSeen()) / 1000,
                        timeout.toSeconds());
            }
        }
        return marked;
    }

    public List<Worker> live() {
        return workers.findSeenSince(Ids.now() - properties.workerTimeout().toMillis());
    }

    /**
     * Marks the worker draining unless it is already, and only while another live worker that is not draining
     * remains (one conditional UPDATE, so the check and the mark cannot be split by a concurrent drain on the same
     * control plane's database connection). 1 when it was marked, 0 otherwise.
     */
    @Transactional
    public int markDraining(String id) {
        long now = Ids.now();
        return workers.markDraining(id, now, now - properties.workerTimeout().toMillis());
    }

    /** Ends a drain (moves in progress are abandoned by the reconciler); 1 when the worker was draining. */
    @Transactional
    public int stopDraining(String id) {
        return workers.stopDraining(id);
    }

    /** Live workers that may receive databases: up and not draining. */
    public List<Worker> placeable() {
        return live().stream().filter(w -> w.downSince() == null && !w.draining()).toList();
    }

    /** Every worker that ever reported, live or not, in id order (the dashboard's workers page). */
    public List<Worker> all() {
        return workers.findAll().stream().sorted(java.util.Comparator.comparing(Worker::id)).toList();
    }

    public Map<String, Worker> byId() {
        return workers.findAll().stream().collect(Collectors.toMap(Worker::id, Function.identity()));
    }

    /** Whether {@code worker} was seen within {@code platform.worker-timeout} and is not marked down. */
    public boolean isLive(Worker worker) {
        return worker.downSince() == null && worker.lastSeen() >= Ids.now() - properties.workerTimeout().toMillis();
    }

    public Optional<Worker> find(String id) {
        return workers.findById(id);
    }
}
