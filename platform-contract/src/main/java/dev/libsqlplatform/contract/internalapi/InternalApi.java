package dev.libsqlplatform.contract.internalapi;

/** Paths of the internal API, shared so a route cannot be renamed on one side only. */
public final class InternalApi {

    /** {@code PUT} / {@code DELETE} {@code <DATABASES>/<dbId>}, {@code GET <DATABASES>} (worker). */
    public static final String DATABASES = "/internal/v1/databases";

    /** {@code POST} (control plane). */
    public static final String HEARTBEAT = "/internal/v1/workers/heartbeat";

    private InternalApi() {
    }
}
