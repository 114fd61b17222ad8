package dev.libsqlplatform.contract.internalapi;

/** Paths of the internal API, shared so a route cannot be renamed on one side only. */
public final class InternalApi {

    /** {@code PUT} / {@code DELETE} {@code <DATABASES>/<dbId>}, {@code GET <DATABASES>} (worker). */
    public static final String DATABASES = "/internal/v1/databases";

    /**
     * Suffixes of {@code <DATABASES>/<dbId>} for moving a database (see {@link MoveDatabase}): {@code GET} the source's
     * snapshot (raw pages; header {@link #FRAME_NO} = the commit it is as of), {@code GET ?from=N} its frames from
     * {@code N} on (sqld's 4120-byte frames, ending on a commit; header {@link #FRAME_NO} = its last commit;
     * {@code 409 NEED_SNAPSHOT} when {@code N} lies before its log), {@code POST}/{@code DELETE} the source's write
     * fence, {@code POST} the target's import.
     */
    public static final String SNAPSHOT = "/snapshot";
    public static final String FRAMES = "/frames";
    public static final String FENCE = "/fence";
    public static final String IMPORT = "/import";

    /** Response header of {@link #SNAPSHOT} and {@link #FRAMES}: a commit frame number (see there). */
    public static final String FRAME_NO = "x-libsql-platform-frame-no";

    /** Response header of {@link #SNAPSHOT}: the source's log id (frames continue the snapshot only within one log). */
    public static final String LOG_ID = "x-libsql-platform-log-id";

    /** {@code POST} (control plane). */
    public static final String HEARTBEAT = "/internal/v1/workers/heartbeat";

    /** {@code POST} a {@link StrayCheck}: which of a starting worker's databases it must not serve (control plane). */
    public static final String STRAYS = "/internal/v1/workers/strays";

    /** {@code GET ?id=<dbId>} or {@code ?label=<db>-<org>} → {@link DatabaseRoute} (control plane). */
    public static final String ROUTES = "/internal/v1/routes";

    /**
     * Header of a request one worker forwards to another: the service secret. Only a request carrying it may name the
     * client's address ({@link #FORWARDED_FOR}) and Host ({@link #FORWARDED_HOST}), and it is never forwarded again.
     */
    public static final String FORWARDED_BY = "x-libsql-platform-forwarded";

    /** The client's IP address as the forwarding worker saw it (the database's allow-list applies to it). */
    public static final String FORWARDED_FOR = "x-libsql-platform-forwarded-for";

    /** The client's {@code Host} header (the receiving worker routes hostname labels by it). */
    public static final String FORWARDED_HOST = "x-libsql-platform-forwarded-host";

    private InternalApi() {
    }
}
