package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.contract.internalapi.DatabaseRoute;
import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.dataplane.auth.TokenAuthenticator;
import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import dev.libsqlplatform.dataplane.forwarding.Forwarding;
import dev.libsqlplatform.dataplane.hrana.Access;
import dev.libsqlplatform.dataplane.hrana.HranaJson;
import dev.libsqlplatform.dataplane.hrana.HranaService;
import dev.libsqlplatform.dataplane.hrana.Proto;
import dev.libsqlplatform.dataplane.storage.DatabaseRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Hrana over HTTP (v2 and v3, JSON), the legacy sqld {@code POST /}, and the version probes. */
@RestController
class HranaController {
    static final String JSON = "application/json";
    static final byte[] JSON_BYTES = JSON.getBytes(StandardCharsets.US_ASCII);

    private final TokenAuthenticator authenticator;
    private final HranaService hrana;
    private final DatabaseRegistry registry;
    private final RequestBodies bodies;
    private final Forwarding forwarding;

    HranaController(TokenAuthenticator authenticator, HranaService hrana, DatabaseRegistry registry,
                    RequestBodies bodies, Forwarding forwarding) {
        this.authenticator = authenticator;
        this.forwarding = forwarding;
        this.hrana = hrana;
        this.registry = registry;
        this.bodies = bodies;
    }

    RequestBodies bodies() {
        return bodies;
    }

    @GetMapping(value = {"/v2", "/v3"}, produces = MediaType.TEXT_PLAIN_VALUE)
    String versionProbe(HttpServletRequest req) {
        return req.getRequestURI().endsWith("3") ? "Hello, this is HTTP API v3 (Hrana over HTTP)"
                : "Hello, this is HTTP API v2 (Hrana over HTTP)";
    }

    @PostMapping({"/v2/pipeline", "/v3/pipeline"})
    void pipeline(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Access access = authenticate(req, resp);
        if (access == null) {
            return;
        }
        ClientWatch.begin(req.getLocalPort(), req.getRemotePort());
        try {
            pipeline(access, body(req), resp, r -> r.setContentType(JSON));
        } finally {
            ClientWatch.done();
        }
    }

    /** Authenticates from the headers alone: nothing of the body is read for a caller without a valid token. */
    Access authenticate(String authorization, String host, String remoteAddress) {
        return Access.of(authenticator.authenticate(authorization, host, remoteAddress));
    }

    /**
     * Authenticates the request, or, when it is for a database another worker hosts, forwards the whole request there
     * and writes that worker's answer (then returns null: nothing more to do). A request another worker forwarded here
     * (it carries the service secret) names the client's address and Host in headers; only such a request may.
     *
     * @param forwardedBy the {@link InternalApi#FORWARDED_BY} header, or null
     */
    Access authenticateOrForward(HttpServletRequest req, HttpServletResponse resp, String authorization, String host,
                                 String forwardedBy) throws IOException {
        boolean forwarded = forwardedBy != null && forwarding.trusted(forwardedBy);
        String remote = req.getRemoteAddr();
        if (forwarded) {
            String client = req.getHeader(InternalApi.FORWARDED_FOR);
            String clientHost = req.getHeader(InternalApi.FORWARDED_HOST);
            remote = client != null ? client : remote;
            host = clientHost != null ? clientHost : host;
        }
        try {
            return authenticate(authorization, host, remote);
        } catch (ApiException e) {
            if (e.code() != ErrorCode.UNAUTHORIZED) {
                throw e;
            }
            Forwarding.Incoming in = new Forwarding.Incoming(authorization, host, remote, forwarded);
            if (forwarding.notHere(in)) {
                // forwarded by a worker whose route is stale (the database moved away): it asks again and retries
                throw new ApiException(ErrorCode.DATABASE_NOT_HERE, "the database is not hosted on this worker");
            }
            Optional<DatabaseRoute> route = forwarding.target(in);
            if (route.isEmpty()) {
                throw e;
            }
            byte[] body = bodies.readAll(req);
            String query = req.getQueryString();
            Forwarding.Answer answer = forwarding.forward(route.get(), in, new Forwarding.Outgoing(req.getMethod(),
                    req.getRequestURI() + (query == null ? "" : "?" + query), req.getContentType(), body));
            resp.setStatus(answer.status());
            if (answer.contentType() != null) {
                resp.setContentType(answer.contentType());
            }
            resp.setContentLength(answer.body().length);
            try (OutputStream os = resp.getOutputStream()) {
                os.write(answer.body());
            }
            return null;
        }
    }

    /** The pipeline with its inputs already taken from the request ({@link HranaPipelineValve} reads them as bytes). */
    void pipeline(Access access, InputStream in, HttpServletResponse resp,
                  Consumer<HttpServletResponse> jsonContentType) throws IOException {
        Proto.PipelineRequest body = HranaJson.readPipeline(in);
        Proto.PipelineResponse out = hrana.pipeline(access, body);
        writeOk(resp, jsonContentType, out);
    }

    /**
     * The pipeline with a body of known length already in memory ({@link HranaPipelineValve} reads small bodies
     * whole: parsing from a byte array is cheaper than from the servlet stream).
     */
    void pipeline(Access access, byte[] in, HttpServletResponse resp,
                  Consumer<HttpServletResponse> jsonContentType) throws IOException {
        Proto.PipelineRequest body = HranaJson.readPipeline(in);
        Proto.PipelineResponse out = hrana.pipeline(access, body);
        writeOk(resp, jsonContentType, out);
    }

    private static void writeOk(HttpServletResponse resp, Consumer<HttpServletResponse> jsonContentType,
                                Proto.PipelineResponse out) throws IOException {
        resp.setStatus(200);
        jsonContentType.accept(resp);
        try (OutputStream os = resp.getOutputStream()) {
            HranaJson.writePipeline(out, os);
        }
    }

    /** Hrana 3 cursor: newline-delimited JSON, Content-Type text/plain as sqld answers it. */
    @PostMapping("/v3/cursor")
    void cursor(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Access access = authenticate(req, resp);
        if (access == null) {
            return;
        }
        Proto.CursorRequest body = HranaJson.readCursor(body(req));
        Proto.PipelineResponse out;
        ClientWatch.begin(req.getLocalPort(), req.getRemotePort());
        try {
            out = hrana.cursor(access, body);
        } finally {
            ClientWatch.done();
        }
        resp.setStatus(200);
        resp.setContentType("text/plain");
        try (OutputStream os = resp.getOutputStream()) {
            HranaJson.writeCursor(out, os);
        }
    }

    @PostMapping("/")
    void legacy(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Access access = authenticate(req, resp);
        if (access == null) {
            return;
        }
        List<HranaService.LegacyStatement> statements = HranaJson.readLegacy(body(req));
        List<HranaService.LegacyResult> results;
        ClientWatch.begin(req.getLocalPort(), req.getRemotePort());
        try {
            results = hrana.legacy(access, statements);
        } finally {
            ClientWatch.done();
        }
        resp.setStatus(200);
        resp.setContentType(JSON);
        try (OutputStream os = resp.getOutputStream()) {
            HranaJson.writeLegacy(results, os);
        }
    }

    private InputStream body(HttpServletRequest req) throws IOException {
        return bodies.stream(req);
    }

    private Access authenticate(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        return authenticateOrForward(req, resp, authorization(req), req.getHeader("Host"),
                req.getHeader(InternalApi.FORWARDED_BY));
    }

    private static String authorization(HttpServletRequest req) {
        String authz = req.getHeader("Authorization");
        return authz != null ? authz : req.getHeader("x-authorization");
    }
}
