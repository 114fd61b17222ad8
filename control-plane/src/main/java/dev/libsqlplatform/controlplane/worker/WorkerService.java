package dev.libsqlplatform.controlplane.worker;

import java.net.URI;
import java.util.List;
import java.util.Optional;

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
            if (previous.get().lastSeen() < now - properties.workerTimeout().toMillis()) {
                log.info("worker {} at {} is back", beat.id(), beat.url());
                events.publishEvent(new WorkerEvents(beat.id()));
            }
        } else {
            aggregates.insert(new Worker(beat.id(), beat.url(), capacity, count, now, now));
            log.info("worker {} registered at {} (capacity {})", beat.id(), beat.url(), capacity);
            events.publishEvent(new WorkerEvents(beat.id()));
        }
    }

    public List<Worker> live() {
        return workers.findSeenSince(Ids.now() - properties.workerTimeout().toMillis());
    }

    /** Every worker that ever reported, live or not (the dashboard's workers page). */
    public List<Worker> all() {
        return workers.findAll().stream().sorted(java.util.Comparator.comparing(Worker::id)).toList();
    }

    /** Whether {@code worker} was seen within {@code platform.worker-timeout}. */
    public boolean isLive(Worker worker) {
        return worker.lastSeen() >= Ids.now() - properties.workerTimeout().toMillis();
    }

    public Optional<Worker> find(String id) {
        return workers.findById(id);
    }
}
