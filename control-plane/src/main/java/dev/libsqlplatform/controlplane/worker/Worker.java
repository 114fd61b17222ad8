package dev.libsqlplatform.controlplane.worker;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A data-plane worker as it last reported itself. Live = seen within {@code platform.worker-timeout}.
 * {@code downSince}: when a control plane noticed it silent past the timeout (null while it is up).
 * {@code drainingSince}: when the platform administrator asked for it to be drained (null: not draining); a draining
 * worker gets no new databases and its databases are moved to other workers.
 */
@Table("workers")
public record Worker(@Id String id, String url, long capacity, long reportedDatabases, long registeredAt, long lastSeen,
                     Long downSince, Long drainingSince) {

    public static final String UP = "up";
    public static final String DOWN = "down";

    public static final String DRAINING = "draining";

    /**
     * The worker as database and instance objects show it: {@link #DOWN}, {@link #DRAINING} (up, and its databases are
     * being moved to other workers) or {@link #UP}.
     */
    public String apiStatus() {
        return downSince != null ? DOWN : drainingSince != null ? DRAINING : UP;
    }

    public boolean draining() {
        return drainingSince != null;
    }

    /** {@link #UP} or {@link #DOWN}, as the API shows it. */
    public String status() {
        return downSince == null ? UP : DOWN;
    }
}
