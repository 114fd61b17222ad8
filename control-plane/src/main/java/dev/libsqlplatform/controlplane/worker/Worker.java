package dev.libsqlplatform.controlplane.worker;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** A data-plane worker as it last reported itself. Live = seen within {@code platform.worker-timeout}. */
@Table("workers")
public record Worker(@Id String id, String url, long capacity, long reportedDatabases, long registeredAt, long lastSeen) {
}
