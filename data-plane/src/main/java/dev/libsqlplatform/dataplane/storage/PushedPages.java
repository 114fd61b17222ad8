package dev.libsqlplatform.dataplane.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies one transaction pushed by an offline replica to the database, raw pages through SQLite's
 * {@code sqlite_dbpage} (the writer's own pager, so the commit goes through the WAL and the frame log like any other
 * and is atomic), with the writer permit held. Nothing is written unless the pages form a transaction SQLite itself
 * could have committed on this exact database: page numbers within the new size, each page once, growth without
 * holes, a shrink only with page 1, page 1 a valid 4096-byte WAL-mode header, the storage limit respected, and the
 * resulting database passing {@code PRAGMA integrity_check} (checked on a scratch copy first: inside the write
 * transaction the b-tree layer still sees the old page count, so the check cannot run there).
 *
 * <p>Exactly one WAL frame per pushed page: SQLite writes each dirty page of a commit once, sorted by page number,
 * as the replica's SQLite did; truncation dirties page 1, which a shrinking transaction must contain anyway (its
 * header holds the size). The caller checks the frame count the log recorded.
 */
final class PushedPages {
    static final int PAGE = OpenDatabase.PAGE_SIZE;
    /** SQLite never writes the page holding the lock byte at 1 GiB. */
    static final long PENDING_BYTE_PAGE = 0x40000000L / PAGE + 1;
    private static final byte[] MAGIC = "SQLite format 3\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private PushedPages() {
    }

    static void apply(DbConnection writer, Path dbFile, PushedCommit commit)
            throws PushRejectedException, SQLException, IOException {
        writer.trusted("BEGIN IMMEDIATE");
        boolean committed = false;
        try {
            long current = writer.trustedLong("PRAGMA page_count");
            long max = writer.trustedLong("PRAGMA max_page_count");
            validate(commit, current, max);
            verify(writer, dbFile, commit);
            write(writer, commit, current);
            writer.trusted("COMMIT");
            committed = true;
            // sqlite_dbpage writes under the b-tree layer: this connection's cached pages keep their old b-tree
            // parse (cell counts) and its schema was read through them; it would go on seeing the old data and
            // write over the new. Drop its page cache (every page is clean after the commit), then its schema
            writer.trusted("PRAGMA shrink_memory");
            writer.trusted("PRAGMA writable_schema = RESET");
        } catch (SQLException e) {
            if ((e.getErrorCode() & 0xff) == 13) { // SQLITE_FULL: max_page_count
                throw new PushRejectedException(PushRejectedException.Reason.STORAGE_FULL,
                        "the pushed transaction would grow the database past its storage limit");
            }
            throw e;
        } finally {
            if (!committed) {
                try {
                    writer.trusted("ROLLBACK");
                } catch (SQLException ignored) {
                    // no transaction left to roll back
                }
            }
        }
    }

    /** The structural rules; {@code current} is the database's page count before the transaction. */
    static void validate(PushedCommit commit, long current, long maxPages) throws PushRejectedException {
        List<PushedCommit.Page> pages = commit.pages();
        long size = commit.sizeAfter();
        if (pages.isEmpty()) {
            throw malformed("a transaction without pages");
        }
        if (size < 1) {
            throw malformed("the commit frame gives a database size of " + size + " pages");
        }
        if (size > maxPages) {
            throw new PushRejectedException(PushRejectedException.Reason.STORAGE_FULL, "the pushed transaction makes"
                    + " the database " + size + " pages (" + size * PAGE + " bytes), more than its storage limit of "
                    + maxPages + " pages");
        }
        if (size > current + pages.size()) {
            throw malformed("the database grows from " + current + " to " + size + " pages with only " + pages.size()
                    + " pages in the transaction");
        }
        Set<Long> seen = new HashSet<>();
        for (PushedCommit.Page p : pages) {
            long no = Integer.toUnsignedLong(p.pageNo());
            if (no < 1 || no > size) {
                throw malformed("page " + no + " lies outside the database size of " + size + " pages given by the"
                        + " commit frame");
            }
            if (no == PENDING_BYTE_PAGE) {
                throw malformed("page " + no + " holds SQLite's lock byte and is never written");
            }
            if (p.data().length != PAGE) {
                throw malformed("page " + no + " has " + p.data().length + " bytes; the page size is " + PAGE);
            }
            if (seen.contains(no)) {
                throw malformed("page " + no + " appears twice in one transaction");
            }
            seen.add(no);
        }
        if (size != current && !seen.contains(1L)) {
            // page 1's header holds the database size: SQLite rewrites it whenever the size changes
            throw malformed("the database " + (size > current ? "grows" : "shrinks") + " from " + current + " to "
                    + size + " pages without page 1");
        }
        if (size > current) {
            for (long no = current + 1; no <= size; no++) {
                if (no != PENDING_BYTE_PAGE && !seen.contains(no)) {
                    throw malformed("the database grows from " + current + " to " + size + " pages but page " + no
                            + " is not in the transaction");
                }
            }
        }
        if (seen.contains(1L)) {
            byte[] h = pages.stream().filter(p -> p.pageNo() == 1).findFirst().orElseThrow().data();
            if (!java.util.Arrays.equals(h, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
                throw malformed("page 1 is not an SQLite database header");
            }
            int pageSize = ((h[16] & 0xff) << 8) | (h[17] & 0xff);
            if (pageSize != PAGE) {
                throw malformed("page 1 declares a page size of " + pageSize + "; this database uses " + PAGE);
            }
            if (h[18] != 2 || h[19] != 2) {
                throw malformed("page 1 is not in WAL mode (file format bytes " + h[18] + "/" + h[19] + ")");
            }
            long headerSize = ByteBuffer.wrap(h, 28, 4).getInt() & 0xffffffffL;
            if (headerSize != size) {
                throw malformed("page 1 gives a database size of " + headerSize + " pages, the commit frame " + size);
            }
            if (h[20] != 0) {
                throw malformed("page 1 reserves " + (h[20] & 0xff) + " bytes per page; this database reserves none");
            }
        }
    }

    /** Builds the database as it would be after the transaction in a scratch file and runs integrity_check on it. */
    private static void verify(DbConnection writer, Path dbFile, PushedCommit commit)
            throws PushRejectedException, SQLException, IOException {
        Path scratch = dbFile.resolveSibling("push-check.tmp");
        try {
            try (FileChannel ch = FileChannel.open(scratch, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                try {
                    writer.trustedWork(jdbc -> {
                        try (Statement s = jdbc.createStatement();
                             ResultSet rs = s.executeQuery("SELECT pgno, data FROM sqlite_dbpage")) {
                            while (rs.next()) {
                                writePage(ch, rs.getLong(1), rs.getBytes(2));
                            }
                        }
                        return null;
                    });
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                for (PushedCommit.Page p : commit.pages()) {
                    writePage(ch, Integer.toUnsignedLong(p.pageNo()), p.data());
                }
                ch.truncate((long) commit.sizeAfter() * PAGE);
                // a rollback-journal file for the check: no -wal or -shm beside the scratch copy
                ch.write(ByteBuffer.wrap(new byte[] {1, 1}), 18);
            }
            List<String> problems = new ArrayList<>();
            try (Connection check = DriverManager.getConnection("jdbc:sqlite:" + scratch.toAbsolutePath());
                 Statement s = check.createStatement();
                 ResultSet rs = s.executeQuery("PRAGMA integrity_check(5)")) {
                while (rs.next()) {
                    problems.add(rs.getString(1));
                }
            } catch (SQLException e) {
                problems.add(e.getMessage());
            }
            if (!problems.equals(List.of("ok"))) {
                throw new PushRejectedException(PushRejectedException.Reason.CORRUPT, "the database with the pushed"
                        + " transaction applied fails integrity_check: " + String.join("; ", problems));
            }
        } finally {
            Files.deleteIfExists(scratch);
            Files.deleteIfExists(scratch.resolveSibling("push-check.tmp-journal"));
        }
    }

    private static void writePage(FileChannel ch, long pageNo, byte[] data) {
        try {
            ByteBuffer b = ByteBuffer.wrap(data);
            long at = (pageNo - 1) * PAGE;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The pages through sqlite_dbpage (defensive mode lifted for it), then the truncation when the database shrinks. */
    private static void write(DbConnection writer, PushedCommit commit, long current) throws SQLException {
        boolean hardened = writer.hardened();
        if (hardened && AlterColumns.schemaWritable(writer.sqlite().getDatabase(), true) != 0) {
            throw new SQLException("cannot lift defensive mode for the pushed pages");
        }
        try {
            writer.trustedWork(jdbc -> {
                try (PreparedStatement ps = jdbc.prepareStatement(
                        "INSERT INTO sqlite_dbpage(pgno, data) VALUES (?, ?)")) {
                    for (PushedCommit.Page p : commit.pages()) {
                        ps.setLong(1, Integer.toUnsignedLong(p.pageNo()));
                        ps.setBytes(2, p.data());
                        ps.executeUpdate();
                    }
                    if (commit.sizeAfter() < current) {
                        // sqlite_dbpage: a NULL page at N drops pages N.. (applied at commit; must come last)
                        ps.setLong(1, commit.sizeAfter() + 1L);
                        ps.setNull(2, Types.BLOB);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
        } finally {
            if (hardened) {
                AlterColumns.schemaWritable(writer.sqlite().getDatabase(), false);
            }
        }
    }

    private static PushRejectedException malformed(String message) {
        return new PushRejectedException(PushRejectedException.Reason.MALFORMED, message);
    }
}
