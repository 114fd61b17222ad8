package dev.libsqlplatform.dataplane.storage;

/**
 * How much result data one request may still produce. Rows are held in memory until the response is
 * written, so without a bound one {@code SELECT} over a large table (or a generated one) could take the
 * worker's heap from every tenant. Sizes are the JSON the rows become, estimated without encoding them.
 * A final class charged directly by {@link StatementRunner} per row: no dispatch on the row loop.
 */
public final class ResultBudget {
    /** Per value: the {@code {"type":"...","value":...}} wrapper around it. */
    private static final int VALUE_OVERHEAD = 32;

    private final long limit;
    private long used;

    public ResultBudget(long limit) {
        this.limit = limit;
    }

    public static ResultBudget unlimited() {
        return new ResultBudget(Long.MAX_VALUE);
    }

    void charge(Object[] row) throws ResultTooLargeException {
        long bytes = 2;
        for (Object v : row) {
            bytes += VALUE_OVERHEAD;
            if (v instanceof String s) {
                bytes += s.length();
            } else if (v instanceof byte[] b) {
                bytes += (b.length + 2L) / 3 * 4;
            } else if (v != null) {
                bytes += 24;
            }
        }
        used += bytes;
        if (used > limit) {
            throw new ResultTooLargeException("the response would exceed the limit of " + limit + " bytes: select"
                    + " fewer rows or columns per request (LIMIT/OFFSET or keyset pagination)");
        }
    }
}
