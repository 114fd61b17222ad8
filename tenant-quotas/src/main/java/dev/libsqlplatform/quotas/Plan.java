package dev.libsqlplatform.quotas;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A plan is data: its limits, nothing else. Limits are per organization and per calendar month
 * where they are about usage ({@link #rowsRead()}, {@link #rowsWritten()}, {@link #bytesSynced()}).
 *
 * @param id            stable plan id as the Platform API reports it ({@code starter}, ...)
 * @param databases     maximum live databases in the organization
 * @param storageBytes  maximum total storage of the organization's databases, in bytes
 * @param rowsRead      rows read per month
 * @param rowsWritten   rows written per month
 * @param bytesSynced   embedded-replica sync traffic per month, in bytes
 * @param groups        maximum groups
 * @param locations     maximum locations
 */
public record Plan(String id, long databases, long storageBytes, long rowsRead, long rowsWritten,
                   long bytesSynced, long groups, long locations) {

    /** Turso's documented starter (free) plan: 500 databases, 9 GB. */
    public static final Plan STARTER = new Plan("starter", 500, 9_000_000_000L, 1_000_000_000L,
            25_000_000L, 3_000_000_000L, 1, 3);

    /** Self-hosted plan without practical limits, for operators who meter elsewhere. */
    public static final Plan UNLIMITED = new Plan("unlimited", Long.MAX_VALUE, Long.MAX_VALUE,
            Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

    private static final Map<String, Plan> BY_ID = Map.of(STARTER.id, STARTER, UNLIMITED.id, UNLIMITED);

    public Plan {
        Objects.requireNonNull(id, "id");
        if (databases < 0 || storageBytes < 0 || rowsRead < 0 || rowsWritten < 0 || bytesSynced < 0
                || groups < 0 || locations < 0) {
            throw new IllegalArgumentException("plan limits must not be negative");
        }
    }

    /** This plan with each non-null override in place of the plan's limit (the id stays the plan's). */
    public Plan with(QuotaOverrides o) {
        if (o == null || o.isEmpty()) {
            return this;
        }
        return new Plan(id, or(o.databases(), databases), or(o.storageBytes(), storageBytes), or(o.rowsRead(), rowsRead),
                or(o.rowsWritten(), rowsWritten), or(o.bytesSynced(), bytesSynced), or(o.groups(), groups),
                or(o.locations(), locations));
    }

    private static long or(Long override, long planValue) {
        return override != null ? override : planValue;
    }

    /** The two built-in plans; the control plane's catalog (plans as data) is the full list. */
    public static Optional<Plan> byId(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }
}
