package dev.libsqlplatform.contract.internalapi;

import java.util.List;

/**
 * Body of {@code POST} {@link InternalApi#STRAYS} (control plane, service secret): a worker starting up, before it
 * serves anything, names the databases it holds; the answer names those it must not serve (no row routes them to it
 * and no move is under way for them: copies left while it was down, e.g. a move's target that installed its copy and
 * died before the switch). The control plane has recorded each as an abandoned move before it answers, so a worker
 * may delete them at once; it also deletes them later itself if the worker does not.
 *
 * @param workerId    the asking worker's id, as in its heartbeats
 * @param databaseIds the ids of the databases it holds
 */
public record StrayCheck(String workerId, List<String> databaseIds) {

    /** Most ids one check may carry (a worker's capacity is 10,000 by default; larger ones ask in several calls). */
    public static final int MAX_IDS = 10_000;

    /** @param strays the asked ids the worker must not serve (a subset of {@link StrayCheck#databaseIds}) */
    public record Answer(List<String> strays) {
    }
}
