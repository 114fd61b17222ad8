package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.replication.GrpcStatus;
import dev.libsqlplatform.dataplane.replication.ProxyService;
import dev.libsqlplatform.dataplane.replication.ReplicationException;
import dev.libsqlplatform.dataplane.replication.ReplicationService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Embedded-replica sync as the {@code libsql} client calls it at its {@code syncUrl}: the protocol probe
 * {@code GET /info}, sqld's gRPC-web {@code wal_log.ReplicationLog}, and {@code proxy.Proxy} (forwarded writes). Transport only: framing, headers
 * ({@code x-authorization}, falling back to {@code authorization}), status mapping; the protocol is
 * {@code replication.ReplicationService}.
 */
@RestController
class ReplicationController {
    private final ReplicationService replication;
    private final ProxyService proxy;
    private final RequestBodies bodies;

    ReplicationController(ReplicationService replication, ProxyService proxy, RequestBodies bodies) {
        this.replication = replication;
        this.proxy = proxy;
        this.bodies = bodies;
    }

    /**
     * The client's protocol probe. Any 2xx would switch it to the offline-sync (v2) protocol, so a valid token gets
     * 404 (which selects gRPC replication), a bad one 401 (the client's constructor then fails with "Unauthorized").
     */
    @GetMapping("/info")
    void info(HttpServletRequest req) {
        try {
            replication.probe(caller(req, req.getHeader("Authorization")));
        } catch (ReplicationException e) {
            if (e.status() == GrpcStatus.UNAUTHENTICATED) {
                throw new ApiException(ErrorCode.UNAUTHORIZED, e.getMessage());
            }
            if (e.status() == GrpcStatus.PERMISSION_DENIED) {
                throw new ApiException(ErrorCode.FORBIDDEN, e.getMessage());
            }
            throw new ApiException(ErrorCode.NAMESPACE_DOESNT_EXIST, e.getMessage());
        }
        throw new ApiException(ErrorCode.NOT_FOUND, "offline sync (HTTP protocol v2) is not served here: embedded"
                + " replicas sync over gRPC (wal_log.ReplicationLog)");
    }

    @PostMapping("/wal_log.ReplicationLog/{method}")
    void replicationLog(@PathVariable String method, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        if (method.equals("Snapshot")) {
            ReplicationService.Caller caller = grpcCaller(req);
            byte[] request;
            try {
                replication.probe(caller); // authenticate before reading the body
                request = GrpcWeb.message(bodies.readAll(req));
            } catch (ReplicationException e) {
                answer(resp, new ByteArrayOutputStream(), e.status(), e.getMessage());
                return;
            }
            streamSnapshot(caller, request, resp);
            return;
        }
        unary(req, resp, (caller, request) -> switch (method) {
            case "Hello" -> replication.hello(caller, request);
            case "BatchLogEntries" -> replication.batchLogEntries(caller, request);
            default -> throw new ReplicationException(GrpcStatus.UNIMPLEMENTED,
                    "wal_log.ReplicationLog/" + method + " is not served by this worker");
        });
    }

    /** Writes forwarded by embedded replicas (sqld's {@code proxy.Proxy}). */
    @PostMapping("/proxy.Proxy/{method}")
    void proxy(@PathVariable String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        unary(req, resp, (caller, request) -> switch (method) {
            case "Execute" -> proxy.execute(caller, request);
            case "Describe" -> proxy.describe(caller, request);
            default -> throw new ReplicationException(GrpcStatus.UNIMPLEMENTED,
                    "proxy.Proxy/" + method + " is not served by this worker");
        });
    }

    /** One unary gRPC-web call. */
    @FunctionalInterface
    private interface Unary {
        byte[] call(ReplicationService.Caller caller, byte[] request) throws ReplicationException;
    }

    private void unary(HttpServletRequest req, HttpServletResponse resp, Unary call) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GrpcStatus status = GrpcStatus.OK;
        String message = null;
        try {
            ReplicationService.Caller caller = grpcCaller(req);
            replication.probe(caller); // authenticate before reading the body
            byte[] request = GrpcWeb.message(bodies.readAll(req));
            GrpcWeb.writeData(out, call.call(caller, request));
        } catch (ReplicationException e) {
            out.reset();
            status = e.status();
            message = e.getMessage();
        }
        answer(resp, out, status, message);
    }

    private static void answer(HttpServletResponse resp, ByteArrayOutputStream out, GrpcStatus status, String message)
            throws IOException {
        GrpcWeb.writeTrailer(out, status, message);
        resp.setStatus(200);
        resp.setContentType(GrpcWeb.CONTENT_TYPE);
        resp.setContentLength(out.size());
        out.writeTo(resp.getOutputStream());
    }

    /** Snapshot frames go out as they are read (a large database's image never sits in memory). */
    private void streamSnapshot(ReplicationService.Caller caller, byte[] request, HttpServletResponse resp)
            throws IOException {
        resp.setStatus(200);
        resp.setContentType(GrpcWeb.CONTENT_TYPE);
        OutputStream out = resp.getOutputStream();
        try {
            replication.snapshot(caller, request, msg -> GrpcWeb.writeData(out, msg));
            GrpcWeb.writeTrailer(out, GrpcStatus.OK, null);
        } catch (ReplicationException e) {
            GrpcWeb.writeTrailer(out, e.status(), e.getMessage());
        }
    }

    private static ReplicationService.Caller grpcCaller(HttpServletRequest req) {
        String auth = req.getHeader("x-authorization");
        return caller(req, auth != null ? auth : req.getHeader("Authorization"));
    }

    private static ReplicationService.Caller caller(HttpServletRequest req, String authorization) {
        return new ReplicationService.Caller(authorization, req.getHeader("Host"), req.getRemoteAddr());
    }
}
