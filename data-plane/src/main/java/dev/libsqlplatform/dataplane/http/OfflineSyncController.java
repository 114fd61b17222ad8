package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.replication.OfflineSyncService;
import dev.libsqlplatform.dataplane.replication.ReplicationService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Offline sync (the {@code libsql} client's HTTP protocol v2) at the syncUrl {@code http://<worker>/offline}. It has
 * its own path prefix because the client probes {@code GET {syncUrl}/info} in its default ("auto") mode and switches
 * to v2 on any 2xx: at the worker's root {@code /info} must keep answering 404 so that auto-mode replicas keep using
 * gRPC replication (with writes forwarded to the primary), while {@code offline: true} clients, which never probe,
 * use this prefix. Transport only; the protocol is {@link OfflineSyncService}. Errors are the worker's usual
 * {@code {"message", "code"}} bodies (ErrorResponses); a pull's "end of generation" is the protocol's 400
 * {@code {"generation": N}}.
 */
@RestController
@RequestMapping("/offline")
class OfflineSyncController {
    private static final String OCTETS = "application/octet-stream";
    private final OfflineSyncService sync;
    private final RequestBodies bodies;

    OfflineSyncController(OfflineSyncService sync, RequestBodies bodies) {
        this.sync = sync;
        this.bodies = bodies;
    }

    @GetMapping("/info")
    void info(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        json(resp, 200, "{\"current_generation\":" + sync.info(caller(req)) + "}");
    }

    @GetMapping("/export/{generation}")
    void export(@PathVariable String generation, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        sync.export(caller(req), generation, bytes -> {
            resp.setStatus(200);
            resp.setContentType(OCTETS);
            resp.setContentLengthLong(bytes);
            return resp.getOutputStream();
        });
    }

    @GetMapping("/sync/{generation}/{start}/{end}")
    void pull(@PathVariable String generation, @PathVariable String start, @PathVariable String end,
              HttpServletRequest req, HttpServletResponse resp) throws IOException {
        OfflineSyncService.Pull pull = sync.pull(caller(req), generation, start, end);
        if (pull instanceof OfflineSyncService.Frames f) {
            resp.setStatus(200);
            resp.setContentType(OCTETS);
            resp.setContentLength(f.walFrames().length);
            resp.getOutputStream().write(f.walFrames());
        } else if (pull instanceof OfflineSyncService.EndOfGeneration e) {
            json(resp, 400, "{\"generation\":" + e.currentGeneration() + "}");
        }
    }

    @PostMapping({"/sync/{generation}/{start}/{end}", "/sync/{generation}/{start}/{end}/{baton}"})
    void push(@PathVariable String generation, @PathVariable String start, @PathVariable String end,
              @PathVariable(required = false) String baton, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        ReplicationService.Caller caller = caller(req);
        sync.authorizePush(caller); // before the body is read
        byte[] body = bodies.readAll(req);
        OfflineSyncService.PushResult r = sync.push(caller, generation, start, end, baton, body);
        json(resp, 200, "{\"status\":\"" + (r.conflict() ? "conflict" : "ok") + "\",\"generation\":" + r.generation()
                + ",\"max_frame_no\":" + r.maxFrameNo() + ",\"baton\":"
                + (r.baton() == null ? "null" : "\"" + r.baton() + "\"") + "}");
    }

    private static void json(HttpServletResponse resp, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType(HranaController.JSON);
        resp.setContentLength(b.length);
        resp.getOutputStream().write(b);
    }

    private static ReplicationService.Caller caller(HttpServletRequest req) {
        return new ReplicationService.Caller(req.getHeader("Authorization"), req.getHeader("Host"),
                req.getRemoteAddr());
    }
}
