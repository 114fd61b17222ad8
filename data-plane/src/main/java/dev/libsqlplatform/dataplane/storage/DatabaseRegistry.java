package dev.libsqlplatform.dataplane.storage;

import dev.libsqlplatform.dataplane.config.LimitsProperties;
import dev.libsqlplatform.dataplane.config.ReplicationProperties;
import dev.libsqlplatform.dataplane.config.SandboxProperties;
import dev.libsqlplatform.dataplane.config.WorkerProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * All databases of this worker: their metadata (loaded from disk at start, so a restart finds them
 * again) and an LRU of open ones ({@code max-open-databases}), opened lazily on first use.
 */
@Component
public class DatabaseRegistry implements DisposableBean {
    private static final Logger log = LoggerFactory.getLogger(DatabaseRegistry.class);
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private final Path dbsDir;
    private final StorageSettings settings;
    private final int maxOpen;
    private final Map<String, DatabaseMeta> metas = new ConcurrentHashMap<>();
    private final Map<String, String> idByLabel = new ConcurrentHashMap<>();
    /** Ids deleted since the worker started (bounded), so replicas get "does not exist" instead of "bad token". */
    private final Map<String, Boolean> deleted = java.util.Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                    return size() > 10_000;
                }
            });
    /** Access-ordered; guarded by {@code this}. */
    private final LinkedHashMap<String, OpenDatabase> open = new LinkedHashMap<>(16, 0.75f, true);

    private final StatementListener.PerDatabase listeners;
    private final BlockedWaits blockedWaits;

    DatabaseRegistry(WorkerProperties props, LimitsProperties limits, SandboxProperties sandbox,
                     ReplicationProperties replication, StatementListener.PerDatabase listeners,
                     BlockedWaits blockedWaits) {
        log.info("SQLite engine {} loaded", SqliteEngine.load());
        if (!sandbox.enabled()) {
            log.warn("platform.worker.sandbox.enabled=false: tenant connections run WITHOUT the engine sandbox"
                    + " (authorizer, limits, statement deadline, temporary-file budget); for benchmarks only");
        }
        this.listeners = listeners;
        this.blockedWaits = blockedWaits;
        this.dbsDir = props.dataDir().toAbsolutePath().resolve("dbs");
        // with the frame log on, its fsync is each write's durability point and the WAL runs at wal-synchronous
        String synchronous = (replication.enabled() ? replication.walSynchronous() : props.synchronous()).name();
        this.settings = new StorageSettings(props.readersPerDatabase(), props.busyTimeout().toMillis(),
                synchronous, limits.engineLimits(), limits.statementTimeout().toNanos(),
                limits.maxTempBytes().toBytes(), sandbox.enabled(), replication.enabled(),
                Math.max(1, replication.checkpointFrames()), Math.max(1, replication.maxLogFrames()));
        if (!replication.enabled()) {
            log.warn("platform.worker.replication.enabled=false: no frame log is kept and embedded replicas cannot"
                    + " sync; for benchmarks only");
        }
        this.maxOpen = Math.max(1, props.maxOpenDatabases());
        try {
            Files.createDirectories(dbsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dbsDir, e);
        }
        scan();
    }

    private void scan() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(dbsDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path meta = dir.resolve("meta.json");
                if (!Files.exists(meta)) {
                    continue;
                }
                try {
                    DatabaseMeta m = MetaFiles.read(meta);
                    if (m.id() != null && m.id().equals(dir.getFileName().toString())) {
                        String holder = labelHolder(m);
                        if (holder != null) {
                            // only possible with files written before labels were checked; the database stays
                            // reachable by its token's id claim, never by the other database's hostname
                            log.error("database {} ({}) shares hostname label {} with database {}: it is not routable "
                                    + "by hostname until one of them is deleted or renamed", m.id(), meta, m.label(), holder);
                            metas.put(m.id(), m);
                        } else {
                            index(m);
                        }
                    } else {
                        log.warn("ignoring {}: its id does not match its folder", meta);
                    }
                } catch (IOException e) {
                    log.warn("ignoring unreadable database metadata {}: {}", meta, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + dbsDir, e);
        }
        log.info("found {} databases in {}", metas.size(), dbsDir);
    }

    /** Called under {@code this} (or from the constructor); the caller has checked {@link #labelHolder}. */
    private void index(DatabaseMeta m) {
        DatabaseMeta old = metas.put(m.id(), m);
        if (old != null) {
            idByLabel.remove(old.label(), old.id());
        }
        idByLabel.put(m.label(), m.id());
    }

    /** The id of ANOTHER database indexed under {@code meta}'s label, or null when the label is free or its own. */
    private String labelHolder(DatabaseMeta meta) {
        String holder = idByLabel.get(meta.label());
        return holder == null || holder.equals(meta.id()) ? null : holder;
    }

    public static boolean isValidId(String id) {
        return id != null && SAFE_ID.matcher(id).matches() && !id.contains("..");
    }

    public DatabaseMeta meta(String id) {
        return id == null ? null : metas.get(id);
    }

    /** True when this worker deleted the database since it started (and it was not created again). */
    public boolean wasDeleted(String id) {
        return id != null && deleted.containsKey(id);
    }

    public String idForLabel(String label) {
        return idByLabel.get(label);
    }

    public List<DatabaseMeta> list() {
        List<DatabaseMeta> all = new ArrayList<>(metas.values());
        all.sort(Comparator.comparing(DatabaseMeta::id));
        return all;
    }

    /** Ids of every database held, sorted. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>(metas.keySet());
        ids.sort(null);
        return ids;
    }

    /** Current size of a database's files ({@code data.db} plus its WAL); 0 when absent. */
    /**
     * The database's storage as Turso counts it (pages of tables and indexes, {@link OpenDatabase#usedBytes}) when
     * it is open; for a closed one, the page count minus the free pages in the file header (a closed database was
     * checkpointed), else the file sizes.
     */
    public long storageBytes(String id) {
        if (!isValidId(id)) {
            return 0;
        }
        OpenDatabase db;
        synchronized (this) {
            db = open.get(id);
            if (db != null) {
                db.retain();
            }
        }
        if (db != null) {
            try {
                return db.usedBytes();
            } catch (SQLException | DatabaseBusyException e) {
                // closed meanwhile or busy: the file tells
            } finally {
                db.release();
            }
        }
        Path dir = dbsDir.resolve(id);
        long fromHeader = headerUsedBytes(dir.resolve("data.db"));
        return fromHeader >= 0 ? fromHeader
                : sizeOrZero(dir.resolve("data.db")) + sizeOrZero(dir.resolve("data.db-wal"));
    }

    /** (page count − freelist count) × page size from the SQLite header, or -1 when it cannot be trusted. */
    static long headerUsedBytes(Path file) {
        byte[] h = new byte[100];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            if (in.readNBytes(h, 0, 100) < 100) {
                return -1;
            }
        } catch (IOException e) {
            return -1;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h);
        int pageSize = b.getShort(16) & 0xffff;
        long size = pageSize == 1 ? 65536 : pageSize;
        int changeCounter = b.getInt(24);
        long pages = b.getInt(28) & 0xffffffffL;
        long free = b.getInt(36) & 0xffffffffL;
        // the in-header page count is valid only when written by the same change as the change counter
        if (size < 512 || pages == 0 || b.getInt(92) != changeCounter || Files.exists(walOf(file))
                && sizeOrZero(walOf(file)) > 0) {
            return -1;
        }
        return Math.max(0, pages - free) * size;
    }

    private static Path walOf(Path file) {
        return file.resolveSibling(file.getFileName() + "-wal");
    }

    private static long sizeOrZero(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    public int count() {
        return metas.size();
    }

    /**
     * Creates the database file when absent, else replaces its metadata. Durable before returning. Refused, before
     * anything is written, when another database holds the same hostname label: two tenants must never share one
     * hostname, and the last put must not silently win.
     */
    public synchronized void put(DatabaseMeta meta) throws IOException, SQLException, LabelConflictException {
        if (!isValidId(meta.id())) {
            throw new IllegalArgumentException("invalid database id");
        }
        String holder = labelHolder(meta);
        if (holder != null) {
            throw new LabelConflictException(meta.label(), holder, meta.id());
        }
        Path dir = dbsDir.resolve(meta.id());
        Files.createDirectories(dir);
        MetaFiles.fsyncDir(dbsDir);
        Path file = dir.resolve("data.db");
        if (!Files.exists(file)) {
            // create the file with its page size and WAL mode, then close it; it is reopened lazily
            OpenDatabase created = new OpenDatabase(meta.id(), file, settings, meta.maxBytes(),
                    listeners.forDatabase(meta.id()), blockedWaits);
            created.close();
        }
        MetaFiles.writeAtomically(dir.resolve("meta.json"), meta);
        index(meta);
        deleted.remove(meta.id());
        OpenDatabase db = open.get(meta.id());
        if (db != null) {
            db.setMaxBytes(meta.maxBytes());
        }
    }

    /** Closes the database and removes its folder; true when it existed. */
    public boolean delete(String id) throws IOException {
        return delete(id, false);
    }

    /**
     * {@link #delete(String)} by the holder of the database's writer (a move's fence, which also holds a lease, so the
     * open instance is the one fenced): the writer is handed to the close, so no waiting write commits in between.
     */
    public boolean delete(String id, boolean writerHeld) throws IOException {
        if (!isValidId(id)) {
            return false;
        }
        DatabaseMeta m;
        OpenDatabase db;
        synchronized (this) {
            m = metas.remove(id);
            if (m != null) {
                idByLabel.remove(m.label(), id);
                deleted.put(id, Boolean.TRUE);
            }
            db = open.remove(id);
        }
        if (db != null) {
            db.close(writerHeld);
        }
        Path dir = dbsDir.resolve(id);
        if (Files.exists(dir)) {
            // remove meta.json first so a crash mid-delete never resurrects a half-deleted database
            Files.deleteIfExists(dir.resolve("meta.json"));
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Iterator<Path> it = walk.sorted(Comparator.reverseOrder()).iterator(); it.hasNext(); ) {
                    Files.deleteIfExists(it.next());
                }
            }
            MetaFiles.fsyncDir(dbsDir);
        }
        return m != null;
    }

    /** The folder of a database held here ({@code dbs/<id>/}); null for an invalid id. */
    public Path folderOf(String id) {
        return isValidId(id) ? dbsDir.resolve(id) : null;
    }

    /**
     * Where a database being moved here is copied before it is served: {@code dbs/.import-<id>/} (the scan at start
     * ignores it: no valid id starts with a dot). Null for an invalid id.
     */
    public Path stagingDir(String id) {
        return isValidId(id) ? dbsDir.resolve(".import-" + id) : null;
    }

    /**
     * Serves a database copied from another worker: its staged file (complete, fsynced, at a commit) becomes
     * {@code dbs/<id>/data.db}, then {@link #put} stores the metadata as for a new database. Refused like a put when
     * another database holds the label (nothing is moved). A database already held here is only updated: its own
     * file is never replaced by a copy.
     */
    public synchronized void install(DatabaseMeta meta, Path staged) throws IOException, SQLException,
            LabelConflictException {
        if (!isValidId(meta.id())) {
            throw new IllegalArgumentException("invalid database id");
        }
        String holder = labelHolder(meta);
        if (holder != null) {
            throw new LabelConflictException(meta.label(), holder, meta.id());
        }
        if (!metas.containsKey(meta.id())) {
            Path dir = dbsDir.resolve(meta.id());
            Files.createDirectories(dir);
            for (String leftover : List.of("data.db-wal", "data.db-shm", "meta.json",
                    "data.db" + OpenDatabase.VECTOR_FORMAT_MARKER)) {
                Files.deleteIfExists(dir.resolve(leftover));
            }
            deleteTree(dir.resolve("log"));
            Files.move(staged, dir.resolve("data.db"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            MetaFiles.fsyncDir(dir);
        }
        put(meta);
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Iterator<Path> it = walk.sorted(Comparator.reverseOrder()).iterator(); it.hasNext(); ) {
                Files.deleteIfExists(it.next());
            }
        }
    }

    /** A lease on the open database (opened now if needed). Call {@link OpenDatabase#release()} when done. */
    public OpenDatabase lease(String id) throws DatabaseGoneException, SQLException {
        List<OpenDatabase> evicted = new ArrayList<>();
        OpenDatabase db;
        synchronized (this) {
            DatabaseMeta m = metas.get(id);
            if (m == null) {
                throw new DatabaseGoneException(id);
            }
            db = open.get(id);
            if (db == null) {
                InlineRun inline = InlineRun.current();
                if (inline != null) {
                    throw new SQLException(inline.giveUp("the database is not open"));
                }
                db = new OpenDatabase(id, dbsDir.resolve(id).resolve("data.db"), settings, m.maxBytes(),
                        listeners.forDatabase(id), blockedWaits);
                open.put(id, db);
            }
            db.retain();
            if (open.size() > maxOpen) {
                for (Iterator<Map.Entry<String, OpenDatabase>> it = open.entrySet().iterator();
                     it.hasNext() && open.size() > maxOpen; ) {
                    OpenDatabase candidate = it.next().getValue();
                    if (candidate.refCount() == 0) {
                        it.remove();
                        evicted.add(candidate);
                    }
                }
            }
        }
        for (OpenDatabase e : evicted) {
            e.close();
        }
        return db;
    }

    /**
     * A lease on every database open now, without opening any or touching their LRU order (the heartbeat's
     * replication report: a closed database's log cannot have changed). Release each.
     */
    public synchronized List<OpenDatabase> leaseOpen() {
        List<OpenDatabase> all = new ArrayList<>(open.values());
        all.forEach(OpenDatabase::retain);
        return all;
    }

    public synchronized int openCount() {
        return open.size();
    }

    public synchronized boolean isOpen(String id) {
        return open.containsKey(id);
    }

    /** Visits every tenant statement running for at least {@code minNanos}, with whom it runs for. */
    public void visitRunning(long minNanos, Requester.RunningVisitor visitor) {
        List<OpenDatabase> all;
        synchronized (this) {
            all = new ArrayList<>(open.values());
        }
        long now = System.nanoTime();
        for (OpenDatabase db : all) {
            db.visitRunning(minNanos, now, visitor);
        }
    }

    /** Interrupts every running tenant statement (the worker is stopping: nobody waits for them). */
    public void cancelAll(String reason) {
        List<OpenDatabase> all;
        synchronized (this) {
            all = new ArrayList<>(open.values());
        }
        for (OpenDatabase db : all) {
            db.cancelAll(reason);
        }
    }

    @Override
    public void destroy() {
        List<OpenDatabase> all;
        synchronized (this) {
            all = new ArrayList<>(open.values());
            open.clear();
        }
        for (OpenDatabase db : all) {
            db.close();
        }
    }
}
