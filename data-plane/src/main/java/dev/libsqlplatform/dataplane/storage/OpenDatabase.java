package dev.libsqlplatform.dataplane.storage;

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
    static final int PAGE_SIZE = 4096;
    /** Bytes a WAL keeps after a checkpoint. */
    static final long WAL_SIZE_LIMIT = 64L * 1024 * 1024;

    private final String id;
    private final Path file;
    private final StorageSettings settings;
    private final Semaphore writerPermit = new Semaphore(1, true);
    private final DbConnection writer;
    private final ArrayBlockingQueue<DbConnection> idleReaders;
    private final List<DbConnection> allReaders = new ArrayList<>();
    private final AtomicInteger refCount = new AtomicInteger();
    private volatile long desiredMaxPageCount;
    private long appliedMaxPageCount = -1;
    private volatile boolean closed;
    private final BlockedWaits blockedWaits;
    private final GroupCommit groupCommit;
    private final StatementRunner runner;

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
        this.writer = open(false);
        applyMaxPageCount();
    }

    public String id() {
        return id;
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
        try {
            applyMaxPageCount();
        } catch (SQLException e) {
            writerPermit.release();
            throw e;
        }
        return writer;
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
        c.reset();
        writerPermit.release();
    }

    /** Takes a read-only connection, opening one if fewer than readers-per-database exist. */
    public DbConnection acquireReader() throws DatabaseBusyException, SQLException {
        DbConnection c = idleReaders.poll();
        if (c != null) {
            return c;
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
        closed = true;
        cancelAll("the database is being closed");
        boolean gotWriter = false;
        try {
            gotWriter = writerPermit.tryAcquire(settings.busyTimeoutMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            writer.trusted("PRAGMA wal_checkpoint(TRUNCATE)");
        } catch (SQLException ignored) {
            // best effort
        }
        writer.close();
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
