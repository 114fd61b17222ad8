package dev.libsqlplatform.dataplane.storage;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteOpenMode;

/**
 * An open tenant database: ONE writer connection guarded by a {@code Semaphore(1)} (not a thread-owned
 * lock: an interactive transaction keeps the writer across HTTP requests served by different threads)
 * and a small pool of read-only connections. Leases are ref-counted so the LRU never closes a database
 * in use.
 */
public final class OpenDatabase {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OpenDatabase.class);
    static final int PAGE_SIZE = 4096;
    /** Bytes a WAL keeps after a checkpoint. */
    static final long WAL_SIZE_LIMIT = 64L * 1024 * 1024;
    /** Suffix of the file beside data.db saying its vector indexes hold the current entry format ({@link #upgradeVectorIndexes}). */
    static final String VECTOR_FORMAT_MARKER = "-vector-index-format-2";

    private final String id;
    private final Path file;
    private final StorageSettings settings;
    private final Semaphore writerPermit = new Semaphore(1, true);
    /**
     * {@code worker_write_transaction_duration_seconds}: how long the single writer is held (an autocommit write, a
     * group commit, or an interactive transaction from BEGIN to its end), and
     * {@code worker_checkpoint_duration_seconds}: the WAL checkpoint when a database is closed. Micrometer's global
     * registry, which Spring Boot backs with the app's.
     */
    private static final io.micrometer.core.instrument.Timer WRITE_TXN = io.micrometer.core.instrument.Timer
            .builder("worker.write.transaction.duration")
            .description("time the single writer of a database is held: one write, one group commit, or one transaction")
            .register(io.micrometer.core.instrument.Metrics.globalRegistry);
    private static final io.micrometer.core.instrument.Timer CHECKPOINT = io.micrometer.core.instrument.Timer
            .builder("worker.checkpoint.duration")
            .description("WAL checkpoint (TRUNCATE) of a database when it is closed (LRU eviction, delete, shutdown)")
            .register(io.micrometer.core.instrument.Metrics.globalRegistry);
    /**
     * {@code worker_wal_checkpoint_duration_seconds}: the writer's periodic checkpoint of logged frames (it holds the
     * writer permit, so it is part of some write's latency: the tail of the write metrics).
     */
    private static final io.micrometer.core.instrument.Timer WAL_CHECKPOINT = io.micrometer.core.instrument.Timer
            .builder("worker.wal.checkpoint.duration")
            .description("periodic WAL checkpoint (PASSIVE) by the writer, every checkpoint-frames logged frames")
            .register(io.micrometer.core.instrument.Metrics.globalRegistry);
    /** When the writer was taken (the permit serialises every access). */
    private volatile long writerSince;
    private final DbConnection writer;
    private final ArrayBlockingQueue<DbConnection> idleReaders;
    private final List<DbConnection> allReaders = new ArrayList<>();
    private final AtomicInteger refCount = new AtomicInteger();
    private volatile long desiredMaxPageCount;
    private long appliedMaxPageCount = -1;
    private volatile boolean closed;
    /** Whether {@link #upgradeVectorIndexes} ran for this open file (once per open, at the first write). */
    private boolean vectorFormatChecked;
    private final BlockedWaits blockedWaits;
    private final GroupCommit groupCommit;
    private final StatementRunner runner;
    /** Null when the worker runs without replication (a benchmark switch). */
    private final FrameLog frameLog;
    /** Set when logging a commit failed: no write is acknowledged until the log has caught up again. */
    private volatile IOException logFailure;

    OpenDatabase(String id, Path file, StorageSettings settings, long maxBytes, StatementListener listener,
                 BlockedWaits blockedWaits) throws SQLException {
        this.id = id;
        this.blockedWaits = blockedWaits;
        this.groupCommit = new GroupCommit(this, blockedWaits);
        this.runner = new StatementRunner(this, listener);
        this.file = file;
        this.settings = settings;
        this.idleReaders = new ArrayBlockingQueue<>(Math.max(1, settings.readers()));
        this.desiredMaxPageCount = maxPageCount(maxBytes);
        FrameLog recovered = null;
        if (settings.replication()) {
            // before SQLite sees the files: the WAL runs at synchronous=NORMAL, so a power loss may have taken logged
            // (acknowledged) commits from it, which the log puts back first
            try {
                recovered = FrameLog.recover(file, settings.maxLogFrames());
            } catch (IOException e) {
                throw new SQLException("cannot recover database " + id + " from its frame log: " + e.getMessage(), e);
            }
        }
        try {
            this.writer = open(false);
        } catch (SQLException | RuntimeException e) {
            if (recovered != null) {
                recovered.close();
            }
            throw e;
        }
        FrameLog fl = null;
        try {
            applyMaxPageCount();
            if (settings.replication()) {
                fl = FrameLog.open(file, writer, recovered, settings.maxLogFrames());
            }
        } catch (IOException e) {
            writer.close();
            throw new SQLException("cannot open the frame log of database " + id + ": " + e.getMessage(), e);
        } catch (SQLException | RuntimeException e) {
            if (recovered != null) {
                recovered.close();
            }
            writer.close();
            throw e;
        }
        this.frameLog = fl;
    }

    /** The database's durable frame log (what replicas pull), or null when replication is switched off. */
    public FrameLog frameLog() {
        return frameLog;
    }

    public String id() {
        return id;
    }

    /** The database's folder (its file, metadata, frame log). */
    public Path folder() {
        return file.getParent();
    }

    /** Autocommit writes of this database, grouped into shared transactions while they arrive concurrently. */
    GroupCommit groupCommit() {
        return groupCommit;
    }

    /** Runs this database's tenant statements (and tells its listener about them). */
    public StatementRunner runner() {
        return runner;
    }

    int refCount() {
        return refCount.get();
    }

    void retain() {
        refCount.incrementAndGet();
    }

    /** Ends one lease taken from {@link DatabaseRegistry#lease(String)}. */
    public void release() {
        refCount.decrementAndGet();
    }

    boolean isClosed() {
        return closed;
    }

    void setMaxBytes(long maxBytes) {
        desiredMaxPageCount = maxPageCount(maxBytes);
    }

    static long maxPageCount(long maxBytes) {
        if (maxBytes <= 0) {
            return 0;
        }
        // SQLite's page numbers are 32-bit: a larger cap (an unlimited plan's Long.MAX_VALUE) would wrap around
        return Math.max(1, Math.min(4294967294L, maxBytes / PAGE_SIZE));
    }

    /**
     * Storage as Turso counts it: the pages of tables and indexes (what the {@code dbstat} table sums), i.e. the
     * database's pages minus its free pages, as of the latest commit, in bytes.
     */
    public long usedBytes() throws DatabaseBusyException, SQLException {
        DbConnection r = acquireReader();
        try {
            long pages = r.trustedLong("PRAGMA page_count");
            long free = r.trustedLong("PRAGMA freelist_count");
            return Math.max(0, pages - free) * PAGE_SIZE;
        } finally {
            releaseReader(r);
        }
    }

    /** Takes the single writer, waiting at most the busy timeout. */
    public DbConnection acquireWriter() throws DatabaseBusyException, SQLException {
        InlineRun inline = InlineRun.current();
        if (inline != null) {
            throw inline.giveUp("the writer is wanted");
        }
        boolean got;
        try {
            // a zero timeout keeps the permit's FIFO order (plain tryAcquire() would barge past waiters)
            got = writerPermit.tryAcquire(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DatabaseBusyException("interrupted while waiting for the writer");
        }
        if (!got) {
            blockedWaits.begin();
            try {
                got = writerPermit.tryAcquire(settings.busyTimeoutMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DatabaseBusyException("interrupted while waiting for the writer");
            } finally {
                blockedWaits.end();
            }
        }
        if (!got) {
            throw new DatabaseBusyException("database is locked: another transaction held the writer for longer than "
                    + settings.busyTimeoutMillis() + " ms");
        }
        if (closed) {
            writerPermit.release();
            throw new SQLException("database " + id + " was closed");
        }
        return readyWriter();
    }

    /** The writer, its permit just taken, once what must precede a write is done; the permit is given back on failure. */
    private DbConnection readyWriter() throws SQLException {
        try {
            if (logFailure != null) {
                logCommits();
            }
            applyMaxPageCount();
            if (!vectorFormatChecked) {
                upgradeVectorIndexes();
            }
        } catch (SQLException | RuntimeException e) {
            writerPermit.release();
            throw e;
        }
        writerSince = System.nanoTime();
        return writer;
    }

    /**
     * The writer for a group led on the SQL port's event loop ({@link InlineRun}), or null, with nothing taken, when
     * taking it would wait or do long work first: the permit is not free right now, the frame log failed last time (the
     * retry writes files), the vector-index upgrade has not run yet, a checkpoint is due (the loop never checkpoints:
     * that copies up to {@code checkpointFrames} pages and fsyncs the file), or there is no frame log (SQLite's own
     * automatic checkpoint would then run inside a COMMIT). Such a group is led from a request thread instead.
     */
    DbConnection writerIfFree() throws SQLException {
        try {
            // a zero timeout keeps the permit's FIFO order (plain tryAcquire() would barge past waiters)
            if (!writerPermit.tryAcquire(0, TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        if (closed || frameLog == null || logFailure != null || !vectorFormatChecked
                || frameLog.walFrames() >= settings.checkpointFrames()) {
            writerPermit.release();
            return null;
        }
        return readyWriter(); // only the page cap is left to apply
    }

    /**
     * Vector indexes made before the approximate search (session 6) hold NULL entries; {@code libsql_vector_idx} now
     * stores a hash of the row's vector (vector_index.c), so for such an index SQLite's {@code integrity_check}
     * reports every old entry missing (and refuses offline pushes, which it checks) and searches stay exact. One
     * REINDEX per vector index, run under the writer and logged like any write (so replicas get it), brings the file
     * to the current format at its first write; a marker beside the file keeps that to once per database. A failure
     * is logged and leaves the file as it was: the tenant's writes must not depend on it. Writer permit held.
     */
    private void upgradeVectorIndexes() {
        vectorFormatChecked = true;
        Path marker = file.resolveSibling(file.getFileName() + VECTOR_FORMAT_MARKER);
        if (java.nio.file.Files.exists(marker)) {
            return;
        }
        try {
            List<String> indexes = writer.trustedWork(jdbc -> {
                List<String> names = new ArrayList<>();
                try (java.sql.Statement s = jdbc.createStatement(); java.sql.ResultSet rs = s.executeQuery(
                        "SELECT name FROM main.sqlite_schema WHERE type = 'index' AND sql LIKE '%libsql_vector_idx%'")) {
                    while (rs.next()) {
                        names.add(rs.getString(1));
                    }
                }
                return names;
            });
            for (String name : indexes) {
                writer.trusted("REINDEX main.\"" + name.replace("\"", "\"\"") + "\"");
            }
            if (!indexes.isEmpty()) {
                log.info("database {}: {} vector index(es) rebuilt to the current entry format", id, indexes.size());
                if (frameLog != null) {
                    logCommits();
                }
            }
            java.nio.file.Files.write(marker, new byte[0]);
        } catch (SQLException | IOException | RuntimeException e) {
            log.warn("database {}: its vector indexes could not be brought to the current format: {}", id, e.toString());
        }
    }

    private void applyMaxPageCount() throws SQLException {
        long desired = desiredMaxPageCount;
        if (desired != appliedMaxPageCount) {
            // 0 means "no cap": SQLite's default maximum. The cap is on used pages (usedBytes): free pages, which
            // a DELETE leaves behind and the next INSERT reuses, are on top of it
            long cap = desired == 0 ? 4294967294L
                    : Math.min(4294967294L, desired + writer.trustedLong("PRAGMA freelist_count"));
            writer.trusted("PRAGMA max_page_count = " + cap);
            appliedMaxPageCount = desired;
        }
    }

    public void releaseWriter(DbConnection c) {
        if (c != writer) {
            throw new IllegalArgumentException("not this database's writer");
        }
        WRITE_TXN.record(System.nanoTime() - writerSince, java.util.concurrent.TimeUnit.NANOSECONDS);
        c.reset();
        try {
            if (frameLog != null) {
                logCommits();
            }
        } finally {
            writerPermit.release();
        }
    }

    /**
     * Appends what the writer committed to the frame log (fsynced), then checkpoints when the WAL has grown: only
     * frames already logged are ever checkpointed. Writer permit held. A failure leaves the frames in the WAL (nothing
     * is checkpointed) and refuses writes until a later attempt succeeds.
     */
    private void logCommits() {
        try {
            frameLog.capture();
            logFailure = null;
        } catch (IOException e) {
            logFailure = e;
            throw new FrameLogException("the write could not be made durable in the replication log of database " + id
                    + ": " + e.getMessage(), e);
        }
        // not on the event loop (writerIfFree): the next write finds the checkpoint due and is led from a request thread
        if (frameLog.walFrames() >= settings.checkpointFrames() && !InlineRun.active()) {
            long started = System.nanoTime();
            try {
                writer.trusted("PRAGMA wal_checkpoint(PASSIVE)");
            } catch (SQLException e) {
                // readers keep old frames pinned; the next commit tries again
            }
            WAL_CHECKPOINT.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** Tests: waits for the frame log's background compaction, if one runs, and puts it into effect. */
    void awaitLogCompaction() throws DatabaseBusyException, SQLException {
        DbConnection w = acquireWriter();
        try {
            frameLog.awaitCompaction();
        } finally {
            releaseWriter(w);
        }
    }

    /**
     * Applies one transaction pushed by an offline replica (storage {@link PushedPages}), atomically, when it extends
     * the history: the frame log's last commit must be {@code baseFrameNo}, else nothing is written and
     * {@link PushConflictException} says where the primary is. The commit is logged (fsynced) before this returns, one
     * frame per pushed page, and its frame number returned. Takes the single writer as any write does (busy timeout,
     * storage limit, a failed log append refuses it).
     */
    public long applyPushed(long baseFrameNo, PushedCommit commit)
            throws PushConflictException, PushRejectedException, DatabaseBusyException, SQLException, IOException {
        if (frameLog == null) {
            throw new SQLException("replication is switched off on this worker");
        }
        DbConnection w = acquireWriter();
        try {
            long last = frameLog.lastCommitFrameNo();
            if (last != baseFrameNo) {
                throw new PushConflictException(last);
            }
            PushedPages.apply(w, file, commit);
            logCommits();
            long logged = frameLog.lastCommitFrameNo() - last;
            if (logged != commit.pages().size()) {
                // never expected (see PushedPages); the replica's frame numbers no longer match the log's
                log.error("database {}: a pushed transaction of {} pages was logged as {} frames", id,
                        commit.pages().size(), logged);
                throw new SQLException("the pushed transaction was committed as " + logged + " frames instead of "
                        + commit.pages().size());
            }
            return frameLog.lastCommitFrameNo();
        } finally {
            releaseWriter(w);
        }
    }

    /** Takes a read-only connection, opening one if fewer than readers-per-database exist. */
    public DbConnection acquireReader() throws DatabaseBusyException, SQLException {
        DbConnection c = idleReaders.poll();
        if (c != null) {
            return c;
        }
        InlineRun inline = InlineRun.current();
        if (inline != null) {
            throw inline.giveUp("no read connection is idle");
        }
        synchronized (allReaders) {
            if (closed) {
                throw new SQLException("database " + id + " was closed");
            }
            if (allReaders.size() < settings.readers()) {
                DbConnection fresh = open(true);
                allReaders.add(fresh);
                return fresh;
            }
        }
        try {
            c = idleReaders.poll(settings.busyTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (c == null) {
            throw new DatabaseBusyException("all read connections stayed busy for longer than "
                    + settings.busyTimeoutMillis() + " ms");
        }
        return c;
    }

    public void releaseReader(DbConnection c) {
        c.reset();
        if (closed) {
            c.close();
            return;
        }
        idleReaders.offer(c);
    }

    private DbConnection open(boolean readOnly) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, settings.busyTimeoutMillis()));
        cfg.setGetGeneratedKeys(false);
        cfg.enableLoadExtension(false);
        if (readOnly) {
            cfg.setReadOnly(true);
            cfg.resetOpenMode(SQLiteOpenMode.CREATE);
        } else {
            cfg.setPageSize(PAGE_SIZE);
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.valueOf(settings.synchronous()));
        }
        SQLiteConnection c = (SQLiteConnection) cfg.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
        DbConnection conn = new DbConnection(c, readOnly, settings.statementTimeoutNanos());
        try {
            try (var s = c.createStatement()) {
                if (readOnly) {
                    s.execute("PRAGMA query_only = 1");
                } else {
                    // after a checkpoint the WAL shrinks back to this; its growth in between is bounded by the
                    // statement deadline and max-transaction-duration (no snapshot pins it for longer)
                    s.execute("PRAGMA journal_size_limit = " + WAL_SIZE_LIMIT);
                    if (settings.replication()) {
                        // SQLite's own checkpoint would run inside the commit, before the frame log captured it: the
                        // file would get pages the log lacks and the WAL restart under frames not yet logged. Only
                        // logCommits() checkpoints, after the capture. Without a log SQLite's default stays.
                        s.execute("PRAGMA wal_autocheckpoint = 0");
                    }
                }
                s.execute("PRAGMA trusted_schema = OFF");
            }
            if (settings.sandbox()) {
                conn.harden(settings.engineLimits());
            }
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
        return conn;
    }

    /**
     * Budget of temporary files for one connection: the database's storage limit (TEMP tables and sort
     * spills count against it as the file itself does), or the worker's max-temp-bytes without one.
     */
    public long tempLimitBytes() {
        long pages = desiredMaxPageCount;
        return pages > 0 ? pages * PAGE_SIZE : settings.maxTempBytes();
    }

    /** Interrupts every statement running on this database (the worker stops, or the database goes away). */
    void visitRunning(long minNanos, long now, Requester.RunningVisitor visitor) {
        writer.visitIfRunning(minNanos, now, visitor);
        synchronized (allReaders) {
            for (DbConnection r : allReaders) {
                r.visitIfRunning(minNanos, now, visitor);
            }
        }
    }

    void cancelAll(String reason) {
        writer.cancel(reason);
        synchronized (allReaders) {
            for (DbConnection r : allReaders) {
                r.cancel(reason);
            }
        }
    }

    /** Closes every connection. Callers guarantee no lease is active, or accept failing users (delete). */
    void close() {
        close(false);
    }

    /**
     * {@code writerHeld}: the caller holds the writer (a move's fence, {@link #acquireWriter}) and hands it over, so no
     * write waiting for it can commit between the fence and the close; it is released at the end and those writes
     * find the database closed (never acknowledged).
     */
    void close(boolean writerHeld) {
        closed = true;
        cancelAll("the database is being closed");
        boolean gotWriter = writerHeld;
        try {
            if (!writerHeld) {
                gotWriter = writerPermit.tryAcquire(settings.busyTimeoutMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        long checkpointStarted = System.nanoTime();
        boolean logged = frameLog == null;
        try {
            if (frameLog != null) {
                // closing the last connection checkpoints the WAL: its commits must be logged before
                frameLog.capture();
                logged = true;
            }
            writer.trusted("PRAGMA wal_checkpoint(TRUNCATE)");
            if (frameLog != null && gotWriter) {
                // the WAL's generation is (or, when the last reader closes, will be) in the database file: a missing
                // WAL at the next open is then no loss (FrameLog#restoreWal)
                frameLog.markClosed();
            }
        } catch (IOException | SQLException e) {
            log.error("closing database {}: {}", id, e.toString());
        }
        if (!logged) {
            // SQLite's checkpoint at the last close will put commits the log lacks (answered SQLITE_IOERR) into the
            // file: the next open must not take the missing WAL for a clean close, but rebuild the file from the log
            frameLog.forgetClosed();
        }
        CHECKPOINT.record(System.nanoTime() - checkpointStarted, java.util.concurrent.TimeUnit.NANOSECONDS);
        writer.close();
        if (frameLog != null) {
            frameLog.close();
        }
        synchronized (allReaders) {
            for (DbConnection r : allReaders) {
                r.close();
            }
            allReaders.clear();
        }
        if (gotWriter) {
            writerPermit.release();
        }
    }
}
