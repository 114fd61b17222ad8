package dev.libsqlplatform.contract.internalapi;

/**
 * Where a database lives: the answer of {@code GET} {@link InternalApi#ROUTES}{@code ?id=<dbId>} or
 * {@code ?label=<db>-<org>} (control plane, service secret), asked by a worker that received a request for a database
 * it does not host. The worker forwards the request to {@code workerUrl}, or answers {@code DATABASE_UNAVAILABLE}
 * while {@code workerStatus} is {@code down} (or the database is not placed yet: {@code workerUrl} null). Unknown
 * databases are 404.
 *
 * @param databaseId   the database's id
 * @param label        its hostname label {@code <db>-<org>}
 * @param workerId     the worker hosting it; null while it is being placed
 * @param workerUrl    that worker's URL as it advertises it in heartbeats; null while not placed
 * @param workerStatus {@code up} or {@code down} (silent past the control plane's worker timeout); null while not placed
 */
public record DatabaseRoute(String databaseId, String label, String workerId, String workerUrl, String workerStatus) {

    public static final String UP = "up";
    public static final String DOWN = "down";

    /** True when the request can be forwarded to {@link #workerUrl}. */
    public boolean reachable() {
        return workerUrl != null && UP.equals(workerStatus);
    }
}
