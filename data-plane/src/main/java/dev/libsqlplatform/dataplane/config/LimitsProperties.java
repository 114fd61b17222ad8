package dev.libsqlplatform.dataplane.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * What one tenant request may consume on a shared worker ({@code platform.worker.limits.*}). Every limit
 * answers a typed error (README, Security); none is a timing the tenant could use to stall others.
 *
 * @param statementTimeout     a statement running longer is interrupted: {@code STATEMENT_TIMEOUT} (default 10s)
 * @param maxRequestBytes      larger request bodies are refused with 413 before they are read (default 32MB)
 * @param bodyReadTimeout      the whole body must arrive within this time after the headers, else 408 (default 10s)
 * @param maxResponseBytes     a request whose results grow past this (as JSON, approximately) gets
 *                             {@code RESPONSE_TOO_LARGE} for the statement that crossed it (default 32MB)
 * @param maxPipelineSteps     stream requests plus batch steps in one pipeline; more is a 400 (default 10000)
 * @param maxStreamsPerDatabase open baton streams of one database; one more answers 429 (default 128)
 * @param maxTransactionDuration an interactive transaction open longer is rolled back once its stream is idle,
 *                             and the stream expires ({@code STREAM_EXPIRED}): it bounds how long a snapshot can
 *                             hold the WAL from being checkpointed (default 120s)
 * @param maxValueBytes        longest string or blob a statement may produce or bind: SQLITE_LIMIT_LENGTH,
 *                             answered with {@code SQLITE_TOOBIG} (default 16MB)
 * @param maxSqlBytes          longest statement text: SQLITE_LIMIT_SQL_LENGTH (default 1MB)
 * @param maxColumns           SQLITE_LIMIT_COLUMN (default 2000)
 * @param maxExpressionDepth   SQLITE_LIMIT_EXPR_DEPTH: bounds the engine's recursion on the request thread's
 *                             stack (default 250)
 * @param maxCompoundSelect    SQLITE_LIMIT_COMPOUND_SELECT, recursive too (default 250)
 * @param maxVariables         SQLITE_LIMIT_VARIABLE_NUMBER (default 32766)
 * @param maxTriggerDepth      SQLITE_LIMIT_TRIGGER_DEPTH (default 100)
 * @param maxTempBytes         temporary files (TEMP tables, sorts, materialisations) of one connection when
 *                             the database has no size limit; with one, that limit is the bound (default 1GB)
 */
@ConfigurationProperties(prefix = "platform.worker.limits")
public record LimitsProperties(
        @DefaultValue("10s") Duration statementTimeout,
        @DefaultValue("32MB") DataSize maxRequestBytes,
        @DefaultValue("10s") Duration bodyReadTimeout,
        @DefaultValue("32MB") DataSize maxResponseBytes,
        @DefaultValue("10000") int maxPipelineSteps,
        @DefaultValue("128") int maxStreamsPerDatabase,
        @DefaultValue("120s") Duration maxTransactionDuration,
        @DefaultValue("16MB") DataSize maxValueBytes,
        @DefaultValue("1MB") DataSize maxSqlBytes,
        @DefaultValue("2000") int maxColumns,
        @DefaultValue("250") int maxExpressionDepth,
        @DefaultValue("250") int maxCompoundSelect,
        @DefaultValue("32766") int maxVariables,
        @DefaultValue("100") int maxTriggerDepth,
        @DefaultValue("1GB") DataSize maxTempBytes) {

    public LimitsProperties {
        if (statementTimeout.isNegative() || statementTimeout.isZero() || bodyReadTimeout.isNegative()
                || bodyReadTimeout.isZero() || maxTransactionDuration.isNegative() || maxTransactionDuration.isZero()) {
            throw new IllegalArgumentException("platform.worker.limits: timeouts must be positive");
        }
        if (maxPipelineSteps < 1 || maxStreamsPerDatabase < 1 || maxColumns < 1 || maxExpressionDepth < 1
                || maxCompoundSelect < 1 || maxVariables < 1 || maxTriggerDepth < 1) {
            throw new IllegalArgumentException("platform.worker.limits: counts must be at least 1");
        }
        for (DataSize d : new DataSize[] {maxRequestBytes, maxResponseBytes, maxValueBytes, maxSqlBytes, maxTempBytes}) {
            if (d.toBytes() < 1) {
                throw new IllegalArgumentException("platform.worker.limits: sizes must be positive");
            }
        }
        if (maxValueBytes.toBytes() > Integer.MAX_VALUE || maxSqlBytes.toBytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("platform.worker.limits: max-value-bytes and max-sql-bytes must be"
                    + " below 2 GB (SQLite's own bound)");
        }
    }

    /** The per-connection engine limits, as (SQLITE_LIMIT_* id, value) pairs. */
    public int[] engineLimits() {
        return new int[] {
            0, (int) maxValueBytes.toBytes(),      // SQLITE_LIMIT_LENGTH
            1, (int) maxSqlBytes.toBytes(),        // SQLITE_LIMIT_SQL_LENGTH
            2, maxColumns,                         // SQLITE_LIMIT_COLUMN
            3, maxExpressionDepth,                 // SQLITE_LIMIT_EXPR_DEPTH
            4, maxCompoundSelect,                  // SQLITE_LIMIT_COMPOUND_SELECT
            7, 1,                                  // SQLITE_LIMIT_ATTACHED: VACUUM's temporary copy only
            9, maxVariables,                       // SQLITE_LIMIT_VARIABLE_NUMBER
            10, maxTriggerDepth,                   // SQLITE_LIMIT_TRIGGER_DEPTH
            11, 0,                                 // SQLITE_LIMIT_WORKER_THREADS: no sorter threads
        };
    }
}
