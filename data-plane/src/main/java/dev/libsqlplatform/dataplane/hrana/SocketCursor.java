package dev.libsqlplatform.dataplane.hrana;

/**
 * A Hrana 3 WebSocket cursor ({@code open_cursor}/{@code fetch_cursor}): the batch has run already (like the HTTP
 * cursor, its result is bounded by max-response-bytes), and the cursor walks its entries — step_begin, rows,
 * step_end or step_error per step, or one error — so {@code fetch_cursor} can hand them out in pages.
 */
final class SocketCursor {
    enum Kind { ERROR, STEP_BEGIN, ROW, STEP_END, STEP_ERROR }

    private final Proto.BatchResult batch;
    private final Proto.Error failure;
    private int step;
    /** -1: step_begin (or step_error) next; 0..rows-1: that row next; rows: step_end next. */
    private int row = -1;
    private boolean done;

    SocketCursor(Proto.StreamResult result) {
        this.failure = result.error();
        this.batch = failure == null ? (Proto.BatchResult) result.response().result() : null;
        skipSkippedSteps();
    }

    boolean done() {
        return done;
    }

    Kind kind() {
        if (failure != null) {
            return Kind.ERROR;
        }
        if (batch.stepResults().get(step) == null) {
            return Kind.STEP_ERROR;
        }
        if (row < 0) {
            return Kind.STEP_BEGIN;
        }
        return row < result().rows().size() ? Kind.ROW : Kind.STEP_END;
    }

    int step() {
        return step;
    }

    Proto.StmtResult result() {
        return batch.stepResults().get(step);
    }

    Object[] row() {
        return result().rows().get(row);
    }

    Proto.Error error() {
        return failure != null ? failure : batch.stepErrors().get(step);
    }

    void advance() {
        if (failure != null) {
            done = true;
            return;
        }
        Kind k = kind();
        if (k == Kind.STEP_ERROR || k == Kind.STEP_END) {
            step++;
            row = -1;
            skipSkippedSteps();
        } else {
            row++;
        }
    }

    /** Steps whose condition was false have neither a result nor an error and no entries. */
    private void skipSkippedSteps() {
        if (failure != null) {
            return;
        }
        while (step < batch.stepResults().size() && batch.stepResults().get(step) == null
                && batch.stepErrors().get(step) == null) {
            step++;
        }
        if (step >= batch.stepResults().size()) {
            done = true;
        }
    }
}
