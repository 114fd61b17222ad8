package dev.libsqlplatform.dataplane.metrics;

import dev.libsqlplatform.dataplane.hrana.HranaService;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Worker gauges on {@code /actuator/prometheus}: databases held, databases open, live baton streams. */
@Component
class WorkerMetrics {
    WorkerMetrics(MeterRegistry meters, DatabaseRegistry registry, HranaService hrana) {
        Gauge.builder("worker.databases", registry, DatabaseRegistry::count)
                .description("databases on this worker").register(meters);
        Gauge.builder("worker.databases.open", registry, DatabaseRegistry::openCount)
                .description("databases with open SQLite connections (LRU)").register(meters);
        Gauge.builder("worker.hrana.streams", hrana, HranaService::openStreams)
                .description("Hrana baton streams alive").register(meters);
    }
}
