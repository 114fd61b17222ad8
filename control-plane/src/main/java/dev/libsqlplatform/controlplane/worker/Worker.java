package dev.libsqlplatform.controlplane.worker;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A data-plane worker as it last reported itself. Live = seen within {@code platform.worker-timeout}.
 * {@code downSince}: when a control plane noticed it silent past the timeout (null while it is up).
 */
@Table("workers")
public record Worker(@Id String id, String url, long capacity, long reportedDatabases, long registeredAt, long lastSeen,
                     Long downSince) {

    public static final String UP = "up";
    public static final String DOWN = "down";

    /** {@link #UP} or {@link #DOWN}, as the API shows it. */
    public String status() {
        return downSince == null ? UP : DOWN;
    }
}
