package dev.libsqlplatform.dataplane.admin;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.contract.internalapi.PutDatabase;
import dev.libsqlplatform.dataplane.auth.IpAllowList;
import dev.libsqlplatform.dataplane.config.ServiceSecret;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.move.Fences;
import dev.libsqlplatform.dataplane.replication.GrpcStatus;
import dev.libsqlplatform.dataplane.replication.ReplicationException;
import dev.libsqlplatform.dataplane.replication.ReplicationService;
import dev.libsqlplatform.dataplane.storage.DatabaseMeta;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import dev.libsqlplatform.dataplane.storage.LabelConflictException;
import java.io.IOException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Internal API called by the control plane (docs/internals.md); every call is idempotent. The PUT body is the
 * contract's {@link PutDatabase}, the record the control plane writes; {@link #meta} reads every one of its
 * components (InternalPutContractTest checks that the stored metadata gives the whole body back).
 */
@RestController
@RequestMapping(value = InternalApi.DATABASES, produces = "application/json")
class InternalDatabasesController {
    private static final Logger log = LoggerFactory.getLogger(InternalDatabasesController.class);

    private final DatabaseRegistry registry;
    private final ServiceSecret secret;
    private final ReplicationService replication;
    private final Fences fences;

    InternalDatabasesController(DatabaseRegistry registry, ServiceSecret secret, ReplicationService replication,
                                Fences fences) {
        this.fences = fences;
        this.registry = registry;
        this.secret = secret;
        this.replication = replication;
    }

    /** The database's frame log and its replicas (replication index, each replica's last sync and lag). */
    @GetMapping("/{dbId}/replication")
    ReplicationService.Status replication(@RequestHeader(value = "Authorization", required = false) String authorization,
                                          @PathVariable String dbId) {
        requireSecret(authorization);
        if (registry.meta(dbId) == null) {
            throw new ApiException(ErrorCode.NAMESPACE_DOESNT_EXIST, "no database " + dbId + " on this worker");
        }
        try {
            return replication.status(dbId);
        } catch (ReplicationException e) {
            throw new ApiException(e.status() == GrpcStatus.FAILED_PRECONDITION ? ErrorCode.NAMESPACE_DOESNT_EXIST
                    : ErrorCode.INTERNAL_ERROR, e.getMessage());
        }
    }

    private void requireSecret(String authorization) {
        requireSecret(secret, authorization);
    }

    /** Every internal route: {@code Authorization: Bearer <service secret>}, else 401. */
    static void requireSecret(ServiceSecret secret, String authorization) {
        String presented = null;
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).trim();
        }
        if (!secret.matches(presented)) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "the internal API needs `Authorization: Bearer <service secret>`");
        }
    }

    @PutMapping("/{dbId}")
    PutDatabase.State put(@RequestHeader(value = "Authorization", required = false) String authorization,
                            @PathVariable String dbId, @RequestBody(required = false) PutDatabase body) {
        requireSecret(authorization);
        if (!DatabaseRegistry.isValidId(dbId)) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "invalid database id");
        }
        if (body == null || body.name() == null || body.name().isBlank() || body.organization() == null
                || body.organization().isBlank()) {
            throw new ApiException(ErrorCode.BAD_REQUEST, "`name` and `organization` are required");
        }
        DatabaseMeta meta = meta(dbId, body);
        try {
            registry.put(meta);
        } catch (LabelConflictException e) {
            log.error("refused PUT of database {}: {}", dbId, e.getMessage());
            throw new ApiException(ErrorCode.LABEL_CONFLICT, e.getMessage());
        } catch (IOException | SQLException e) {
            log.error("cannot create or update database {}: {}", dbId, e.getMessage());
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "cannot store the database: " + e.getMessage());
        }
        return new PutDatabase.State(dbId, PutDatabase.State.READY);
    }

    /**
     * The metadata stored for a PUT: every component of the body lands in it (absent numbers and flags as 0 and
     * false, blank group and reason as null, allow-list entries trimmed); 400 for keys or addresses that are wrong.
     */
    static DatabaseMeta meta(String dbId, PutDatabase body) {
        List<DatabaseMeta.Key> keys = new ArrayList<>();
        if (body.keys() != null) {
            for (PutDatabase.Key k : body.keys()) {
                if (k == null || k.publicKey() == null || k.publicKey().isBlank()) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "every key needs a `publicKey`");
                }
                if (!k.hasKnownScope()) {
                    throw new ApiException(ErrorCode.BAD_REQUEST, "a key's `scope` is `database` or `group`");
                }
                keys.add(new DatabaseMeta.Key(k.kid(), k.publicKey(), k.effectiveScope()));
            }
        }
        List<String> allowedIps = new ArrayList<>();
        if (body.allowedIps() != null) {
            for (String ip : body.allowedIps()) {
                allowedIps.add(ip == null ? null : ip.trim());
            }
            try {
                IpAllowList.parse(allowedIps);
            } catch (IllegalArgumentException e) {
                throw new ApiException(ErrorCode.BAD_REQUEST, e.getMessage());
            }
        }
        String groupId = body.groupId() == null || body.groupId().isBlank() ? null : body.groupId();
        String blockReason = body.blockReason() == null || body.blockReason().isBlank() ? null : body.blockReason();
        return new DatabaseMeta(dbId, body.name(), body.organization(),
                body.maxBytes() == null ? 0 : body.maxBytes(), keys, body.revokedTokenIds(),
                Boolean.TRUE.equals(body.blockReads()), Boolean.TRUE.equals(body.blockWrites()), groupId,
                blockReason, allowedIps, body.storageLimitReason() == null || body.storageLimitReason().isBlank()
                        ? null : body.storageLimitReason());
    }

    @DeleteMapping("/{dbId}")
    PutDatabase.State delete(@RequestHeader(value = "Authorization", required = false) String authorization,
                               @PathVariable String dbId) {
        requireSecret(authorization);
        try {
            // a database that moved away is fenced: the fence hands its writer to the close
            fences.delete(dbId);
        } catch (IOException e) {
            log.error("cannot delete database {}: {}", dbId, e.getMessage());
            throw new ApiException(ErrorCode.INTERNAL_ERROR, "cannot delete the database: " + e.getMessage());
        }
        return new PutDatabase.State(dbId, PutDatabase.State.DELETED);
    }

    @GetMapping
    Map<String, Object> list(@RequestHeader(value = "Authorization", required = false) String authorization) {
        requireSecret(authorization);
        List<Map<String, Object>> out = new ArrayList<>();
        for (DatabaseMeta m : registry.list()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", m.id());
            row.put("name", m.name());
            row.put("organization", m.organization());
            out.add(row);
        }
        return Map.of("databases", out);
    }
}
