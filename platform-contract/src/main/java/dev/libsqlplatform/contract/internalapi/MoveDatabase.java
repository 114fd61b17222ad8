package dev.libsqlplatform.contract.internalapi;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Moving one database from a draining worker (the source) to another (the target), driven by the control plane
 * (docs/internals.md, "Draining a worker"). The target pulls the database from the source over the internal API:
 * the source's frame-log snapshot ({@link InternalApi#SNAPSHOT}), then its frames ({@link InternalApi#FRAMES}), until
 * the source is fenced ({@link InternalApi#FENCE}: its writer is held, so no write commits there any more) and the
 * target reached the fenced commit; only then does the control plane switch the database's route.
 */
public final class MoveDatabase {

    private MoveDatabase() {
    }

    /**
     * Body of {@code POST <DATABASES>/<dbId>/import} (target worker).
     *
     * @param source   the source worker's URL (the target pulls from it with the service secret)
     * @param until    null: copy what the source has now and keep the copy staged (not served); a frame number (the
     *                 source's fenced commit, {@link Fenced#frameNo}): catch up to exactly that commit, then install
     *                 the database with {@code database}'s metadata and serve it
     * @param database the metadata the target serves it with (keys, limits, blocks), as a {@code PUT} would carry
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Import(String source, Long until, PutDatabase database) {
    }

    /**
     * Answer of the import call: the commit the target's copy reached and {@code copying} (staged) or
     * {@link PutDatabase.State#READY} (installed and served).
     */
    public record Imported(String id, long frameNo, String state) {
        public static final String COPYING = "copying";
    }

    /**
     * Answer of {@code POST <DATABASES>/<dbId>/fence} (source worker): the writer is held from now on (until
     * {@code DELETE .../fence} or the database's removal) and {@code frameNo} is its last durable commit, which no
     * write can pass. Idempotent: a second call answers the same frame number.
     */
    public record Fenced(String id, long frameNo) {
    }
}
