package dev.libsqlplatform.dataplane.admin;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.MoveDatabase;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.move.Fences;
import dev.libsqlplatform.dataplane.move.Importer;
import dev.libsqlplatform.dataplane.move.MoveException;
import dev.libsqlplatform.dataplane.storage.DatabaseBusyException;
import dev.libsqlplatform.dataplane.storage.DatabaseGoneException;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.FrameLog;
import dev.libsqlplatform.dataplane.storage.LabelConflictException;
import dev.libsqlplatform.dataplane.storage.OpenDatabase;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Internal API of a move (docs/internals.md, "Draining a worker"; the bodies are the contract's {@link MoveDatabase}):
 * the source serves its snapshot and frames and holds the write fence, the target imports.
 */
@RestController
@RequestMapping(value = InternalApi.DATABASES, produces = "application/json")
class MoveController {
    private static final Logger log = LoggerFactory.getLogger(MoveController.class);

    private final DatabaseRegistry registry;
    private final ServiceSecret secret;
    private final Fences fences;
    private final Importer importer;

    MoveController(DatabaseRegistry registry, ServiceSecret secret, Fences fences, Importer importer) {
        this.registry = registry;
        this.secret = secret;
        this.fences = fences;
        this.importer = importer;
    }

    /** The frame log's snapshot: raw pages, as of commit {@link InternalApi#FRAME_NO}. */
    @GetMapping(value = "/{dbId}" + InternalApi.SNAPSHOT, produces = "application/octet-stream")
    void snapshot(@RequestHeader(value = "Authorization", required = false) String authorization,
                  @PathVariable String dbId, HttpServletResponse response) throws IOException {
        InternalDatabasesController.requireSecret(secret, authorization);
        OpenDatabase db = lease(dbId);
        FrameLog.SnapshotReader snap;
        String logId;
        try {
            logId = frameLog(db).logId().toString();
            snap = frameLog(db).openSnapshot();
        } finally {
            db.release();
        }
        try (snap) {
            response.setContentType("application/octet-stream");
            response.setHeader(InternalApi.FRAME_NO, Long.toString(snap.baseFrameNo()));
            response.setHeader(InternalApi.LOG_ID, logId);
            response.setContentLengthLong((long) snap.pages() * FrameLog.PAGE);
            OutputStream out = response.getOutputStream();
            ByteBuffer page = ByteBuffer.allocate(FrameLog.PAGE);
            for (int p = 1; p <= snap.pages(); p++) {
                page.clear();
                snap.readPage(p, page);
                out.write(page.array(), 0, FrameLog.PAGE);
            }
        }
    }

    /**
     * Frames from {@code from} on, up to {@link Importer#FRAMES_PER_CALL}, ending on a commit when one lies within;
     * {@code 409 NEED_SNAPSHOT} when they lie before the log or {@code logId} is not this log's.
     */
    @GetMapping(value = "/{dbId}" + InternalApi.FRAMES, produces = "application/octet-stream")
    void frames(@RequestHeader(value = "Authorization", required = false) String authorization,
                @PathVariable String dbId, @RequestParam long from, @RequestParam(required = false) String logId,
                HttpServletResponse response) throws IOException {
        InternalDatabasesController.requireSecret(secret, authorization);
        if (from < 1) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "`from` is a frame number ≥ 1");
        }
        OpenDatabase db = lease(dbId);
        List<byte[]> frames;
        long last;
        try {
            FrameLog fl = frameLog(db);
            if (logId != null && !logId.equals(fl.logId().toString())) {
                throw new ApiException(ErrorCode.NEED_SNAPSHOT, "database " + dbId + " has another frame log now");
            }
            last = fl.lastCommitFrameNo();
            frames = fl.read(from, Importer.FRAMES_PER_CALL);
        } catch (FrameLog.NeedSnapshotException e) {
            throw new ApiException(ErrorCode.NEED_SNAPSHOT, "frame " + from + " of " + dbId
                    + " lies before its frame log: copy the snapshot first");
        } finally {
            db.release();
        }
        response.setContentType("application/octet-stream");
        response.setHeader(InternalApi.FRAME_NO, Long.toString(last));
        response.setContentLengthLong((long) frames.size() * FrameLog.FRAME);
        OutputStream out = response.getOutputStream();
        for (byte[] f : frames) {
            out.write(f);
        }
    }

    @PostMapping("/{dbId}" + InternalApi.FENCE)
    MoveDatabase.Fenced fence(@RequestHeader(value = "Authorization", required = false) String authorization,
                              @PathVariable String dbId) {
        InternalDatabasesController.requireSecret(secret, authorization);
        try {
            return new MoveDatabase.Fenced(dbId, fences.fence(dbId));
        } catch (DatabaseGoneException e) {
            throw new ApiException(ErrorCode.NAMESPACE_DOESNT_EXIST, "no database " + dbId + " on this worker");
        } catch (DatabaseBusyException e) {
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, "cannot fence " + dbId + " now: " + e.getMessage());
        } catch (MoveException e) {
            throw new ApiException(ErrorCode.MOVE_FAILED, e.getMessage());
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "cannot fence " + dbId + ": " + e.getMessage());
        }
    }

    @DeleteMapping("/{dbId}" + InternalApi.FENCE)
    MoveDatabase.Fenced unfence(@RequestHeader(value = "Authorization", required = false) String authorization,
                                @PathVariable String dbId) {
        InternalDatabasesController.requireSecret(secret, authorization);
        fences.unfence(dbId);
        return new MoveDatabase.Fenced(dbId, 0);
    }

    @PostMapping("/{dbId}" + InternalApi.IMPORT)
    MoveDatabase.Imported importDatabase(@RequestHeader(value = "Authorization", required = false) String authorization,
                                         @PathVariable String dbId,
                                         @RequestBody(required = false) MoveDatabase.Import body) {
        InternalDatabasesController.requireSecret(secret, authorization);
        if (!DatabaseRegistry.isValidId(dbId)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid database id");
        }
        if (body == null || body.source() == null || !(body.source().startsWith("http://")
                || body.source().startsWith("https://")) || body.database() == null) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "`source` (a worker URL) and `database` are required");
        }
        var put = body.database();
        if (put.name() == null || put.name().isBlank() || put.organization() == null || put.organization().isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "`database.name` and `database.organization` are required");
        }
        try {
            return importer.importFrom(dbId, body, InternalDatabasesController.meta(dbId, put));
        } catch (MoveException e) {
            log.warn("import of database {} from {} failed: {}", dbId, body.source(), e.getMessage());
            throw new ApiException(ErrorCode.MOVE_FAILED, e.getMessage());
        } catch (LabelConflictException e) {
            throw new ApiException(ErrorCode.LABEL_CONFLICT, e.getMessage());
        } catch (IOException | SQLException | RuntimeException e) {
            log.warn("import of database {} from {} failed: {}", dbId, body.source(), e.toString());
            throw new ApiException(ErrorCode.DATABASE_UNAVAILABLE, "cannot copy " + dbId + " from " + body.source()
                    + ": " + e.getMessage());
        }
    }

    /** Drops a staged copy (the control plane abandoned the move to this worker). */
    @DeleteMapping("/{dbId}" + InternalApi.IMPORT)
    MoveDatabase.Imported discard(@RequestHeader(value = "Authorization", required = false) String authorization,
                                  @PathVariable String dbId) throws IOException {
        InternalDatabasesController.requireSecret(secret, authorization);
        importer.discard(dbId);
        return new MoveDatabase.Imported(dbId, 0, "discarded");
    }

    private OpenDatabase lease(String dbId) {
        try {
            return registry.lease(dbId);
        } catch (DatabaseGoneException e) {
            throw new ApiException(ErrorCode.NAMESPACE_DOESNT_EXIST, "no database " + dbId + " on this worker");
        } catch (SQLException e) {
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "cannot open " + dbId + ": " + e.getMessage());
        }
    }

    private static FrameLog frameLog(OpenDatabase db) {
        FrameLog fl = db.frameLog();
        if (fl == null) {
            throw new ApiException(ErrorCode.MOVE_FAILED, "database " + db.id() + " cannot be moved: this worker runs "
                    + "without a frame log (platform.worker.replication.enabled=false)");
        }
        return fl;
    }
}
