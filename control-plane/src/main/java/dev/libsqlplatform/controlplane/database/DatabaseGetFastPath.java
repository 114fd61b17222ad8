package dev.libsqlplatform.controlplane.database;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.security.ApiResponseHeaders;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.security.PlatformTokens;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ApiException;
import dev.libsqlplatform.controlplane.web.ErrorResponses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.tomcat.util.buf.ByteChunk;
import org.apache.tomcat.util.buf.MessageBytes;
import org.apache.tomcat.util.http.MimeHeaders;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /v1/organizations/{org}/databases/{db}} answered without the servlet filters and Spring MVC, for
 * {@link DatabaseGetValve}; what the answer is stays decided by the code the normal pipeline runs:
 * <ul>
 *   <li>the bearer token through {@link PlatformTokens#authenticate} (the security filter's call, same cache and
 *   revocation rules); no or an unknown token: the security entry point's 401, written by {@link ErrorResponses};</li>
 *   <li>the organization through {@link Authorizer#require} with {@link Action#READ}, the database through
 *   {@link DatabaseService#view}: what {@code DatabaseController.get} calls; their {@link ApiException}s answered
 *   by {@link ErrorResponses#writeHandled}, the same bytes and framing as the controller advice;</li>
 *   <li>the body by the application's {@link JsonMapper} (so {@link DatabaseViewJson}) from the controller's own
 *   {@code DatabaseResponse}; the headers from {@link ApiResponseHeaders}, which the security chain writes too;</li>
 *   <li>{@code http.server.requests} recorded with the tags the request observation gives the same answer (the
 *   route's template, or {@code UNKNOWN} for a 401 that never reached a handler), straight into the timer; these
 *   requests are not counted in the in-flight {@code http.server.requests.active} (see {@code Meters}).</li>
 * </ul>
 * Only plain requests are taken: exactly that path shape with names of letters, digits, {@code -} and {@code _}
 * (not the {@code -} slug of the org-less routes), no query string, a {@code Bearer} Authorization header, no body
 * ({@code Content-Length} absent or 0),
 * no cookie, no CORS {@code Origin}, no {@code Expect}, no {@code Content-Type}, an {@code Accept} that is absent,
 * {@code *}{@code /*} or {@code application/json}, and every header value printable ASCII (Spring Security's firewall
 * would look at the rest). Anything else, and any failure that is not an {@link ApiException} (the database down,
 * a bug), goes on to the normal pipeline untouched, which answers it as it always did: nothing is written before
 * the answer is known.
 * {@code DatabaseGetValveTest} compares both paths byte for byte. {@code platform.api.fast-get=false} turns it off ({@link FastGetProperties}).
 */
@Component
class DatabaseGetFastPath {

    private static final byte[] PREFIX = "/v1/organizations/".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] MIDDLE = "/databases/".getBytes(StandardCharsets.ISO_8859_1);
    static final String URI_TEMPLATE = "/v1/organizations/{org}/databases/{db}";
    private static final byte[] JSON = "application/json".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] CONTENT_TYPE = "Content-Type".getBytes(StandardCharsets.ISO_8859_1);

    private final PlatformTokens tokens;
    private final Authorizer authorizer;
    private final DatabaseService databases;
    private final ObjectWriter writer;
    /** {@link ApiResponseHeaders#fresh} as bytes, over HTTP and HTTPS: added straight to Tomcat's headers. */
    private final byte[][][] headers = bytes(ApiResponseHeaders.fresh(false));
    private final byte[][][] secureHeaders = bytes(ApiResponseHeaders.fresh(true));
    private final ObjectProvider<MeterRegistry> registry;
    private volatile boolean enabled;
    private final LongAdder served = new LongAdder();
    private volatile Meters meters;

    DatabaseGetFastPath(PlatformTokens tokens, Authorizer authorizer, DatabaseService databases, JsonMapper json,
                        ObjectProvider<MeterRegistry> registry, FastGetProperties properties) {
        this.tokens = tokens;
        this.authorizer = authorizer;
        this.databases = databases;
        // the controller's body type, resolved once (its serializer is looked up per call otherwise)
        this.writer = json.writerFor(DatabaseController.DatabaseResponse.class);
        this.registry = registry;
        this.enabled = properties.fastGet();
    }

    /** For tests: compare with the normal pipeline by switching this path off. */
    void enabled(boolean on) {
        enabled = on;
    }

    /** Requests answered here (tests assert the path was taken). */
    long served() {
        return served.sum();
    }

    /** Answers the request and returns true, or returns false having touched nothing. */
    boolean serve(Request request, Response response) throws IOException {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        // method and path read as bytes: their String forms go through Tomcat's charset decoder (JFR)
        if (!enabled || !coyote.method().equals("GET") || !coyote.queryString().isNull()
                || coyote.requestURI().getType() != MessageBytes.T_BYTES) {
            return false;
        }
        ByteChunk path = coyote.requestURI().getByteChunk();
        byte[] p = path.getBuffer();
        int from = path.getStart();
        int end = path.getEnd();
        int orgStart = from + PREFIX.length;
        int orgEnd = nameEnd(p, orgStart, end);
        if (orgEnd < 0 || !startsWith(p, from, end, PREFIX) || !startsWith(p, orgEnd, end, MIDDLE)) {
            return false;
        }
        int dbStart = orgEnd + MIDDLE.length;
        if (nameEnd(p, dbStart, end) != end) {
            return false;
        }
        if (orgEnd - orgStart == 1 && p[orgStart] == '-') {
            return false; // the org-less form (access.OrgLessRoutes)
        }
        String org = new String(p, orgStart, orgEnd - orgStart, StandardCharsets.ISO_8859_1);
        String db = new String(p, dbStart, end - dbStart, StandardCharsets.ISO_8859_1);
        String bearer = plainBearer(coyote.getMimeHeaders());
        if (bearer == null) {
            return false;
        }
        long start = System.nanoTime();
        Meters m = meters();
        // the answer is decided before anything is written, so a failure can still go to the normal pipeline
        byte[] body = null;
        ApiException refused = null;
        Optional<Caller> caller;
        try {
            caller = tokens.authenticate(bearer);
            if (caller.isPresent()) {
                try {
                    body = writer.writeValueAsBytes(new DatabaseController.DatabaseResponse(databases.view(
                            authorizer.require(caller.get(), org, Action.READ), db)));
                } catch (ApiException e) {
                    refused = e;
                }
            }
        } catch (RuntimeException e) {
            return false; // not an answer of the API's (database down, a bug): the normal pipeline answers and logs it
        }
        // counted before the answer goes out: a body that reaches its Content-Length is sent at once
        served.increment();
        MimeHeaders out = response.getCoyoteResponse().getMimeHeaders();
        for (byte[][] h : request.isSecure() ? secureHeaders : headers) {
            out.addValue(h[0], 0, h[0].length).setBytes(h[1], 0, h[1].length);
        }
        int status;
        boolean handled = true;
        if (caller.isEmpty()) {
            // the security entry point's answer (SecurityConfig); no handler was reached, hence the UNKNOWN uri
            ErrorResponses.write(response, request, ApiError.UNAUTHORIZED, "token is invalid or expired");
            status = ApiError.UNAUTHORIZED.status().value();
            handled = false;
        } else if (refused != null) {
            ErrorResponses.writeHandled(response, request, refused);
            status = refused.error().status().value();
        } else {
            // status stays 200; Content-Type as bytes, where Tomcat would put it (a String goes through its parser)
            out.addValue(CONTENT_TYPE, 0, CONTENT_TYPE.length).setBytes(JSON, 0, JSON.length);
            response.setContentLength(body.length);
            response.getOutputStream().write(body);
            status = 200;
        }
        if (m != null) {
            m.timer(status, handled).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /** The end of the name starting at {@code from}: letters, digits, '-' and '_', at least one; -1 when none. */
    static int nameEnd(byte[] p, int from, int end) {
        int i = from;
        while (i < end) {
            byte c = p[i];
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || (c >= 'A' && c <= 'Z'))) {
                break;
            }
            i++;
        }
        return i > from ? i : -1;
    }

    private static boolean startsWith(byte[] p, int at, int end, byte[] prefix) {
        if (end - at < prefix.length) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (p[at + k] != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[][][] bytes(java.util.List<String[]> pairs) {
        byte[][][] all = new byte[pairs.size()][][];
        for (int i = 0; i < all.length; i++) {
            all[i] = new byte[][]{pairs.get(i)[0].getBytes(StandardCharsets.ISO_8859_1),
                    pairs.get(i)[1].getBytes(StandardCharsets.ISO_8859_1)};
        }
        return all;
    }

    /**
     * The token of a request plain enough for this path, else null: "Bearer" (any case) and a token, as the security
     * filter reads it; and none of the headers that make the normal pipeline do something else.
     */
    static String plainBearer(MimeHeaders headers) {
        String bearer = null;
        for (int i = 0, n = headers.size(); i < n; i++) {
            MessageBytes value = headers.getValue(i);
            if (!printable(value)) {
                return null; // tab, obs-text: the firewall's rules, not ours
            }
            MessageBytes name = headers.getName(i);
            if (name.equalsIgnoreCase("authorization")) {
                String v = value.getType() == MessageBytes.T_BYTES ? latin1(value.getByteChunk()) : value.toString();
                if (bearer != null || !v.regionMatches(true, 0, "Bearer ", 0, 7)) {
                    return null;
                }
                bearer = v.substring(7).trim();
                if (bearer.isEmpty()) {
                    return null;
                }
            } else if (name.equalsIgnoreCase("accept")) {
                if (!(value.equals("*/*") || value.equals("application/json"))) {
                    return null;
                }
            } else if (name.equalsIgnoreCase("content-length")) {
                if (!value.equals("0")) {
                    return null; // a body (java.net.http sends "0" with a GET)
                }
            } else if (name.equalsIgnoreCase("cookie") || name.equalsIgnoreCase("origin")
                    || name.equalsIgnoreCase("expect") || name.equalsIgnoreCase("content-type")
                    || name.equalsIgnoreCase("transfer-encoding")
                    || name.equalsIgnoreCase("access-control-request-method")) {
                return null;
            }
        }
        return bearer;
    }

    /** Only printable ASCII (no tab, no obs-text): what Spring Security's firewall lets through unexamined. */
    private static boolean printable(MessageBytes value) {
        if (value.getType() == MessageBytes.T_BYTES) {
            ByteChunk v = value.getByteChunk();
            byte[] b = v.getBuffer();
            for (int j = v.getStart(), e = v.getEnd(); j < e; j++) {
                if (b[j] < 0x20 || b[j] > 0x7e) {
                    return false;
                }
            }
            return true;
        }
        String v = value.toString();
        if (v == null) {
            return false;
        }
        for (int j = 0; j < v.length(); j++) {
            char c = v.charAt(j);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** A header's bytes as a String without Tomcat's per-call charset lookup (header bytes are ISO-8859-1). */
    private static String latin1(ByteChunk bc) {
        return new String(bc.getBuffer(), bc.getStart(), bc.getLength(), StandardCharsets.ISO_8859_1);
    }

    private Meters meters() {
        Meters m = meters;
        if (m == null) {
            MeterRegistry r = registry.getIfAvailable();
            if (r == null) {
                return null;
            }
            m = new Meters(r);
            meters = m;
        }
        return m;
    }

    /**
     * The meters the request observation (Spring's {@code ServerHttpObservationFilter}, through Micrometer's
     * {@code DefaultMeterObservationHandler}) updates for these answers, resolved once per status instead of per
     * request: {@code http.server.requests} with its low-cardinality tags plus {@code error}. Not the in-flight
     * {@code http.server.requests.active}: its start and stop were 3.5 % of this path's CPU (JFR), for a gauge
     * of requests that last a tenth of a millisecond.
     */
    private static final class Meters {
        private final MeterRegistry registry;
        private final java.util.concurrent.ConcurrentHashMap<Integer, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

        Meters(MeterRegistry registry) {
            this.registry = registry;
        }

        /** {@code handled}: the answer came from the route's handler (its template is the uri tag), not security. */
        Timer timer(int status, boolean handled) {
            int key = handled ? status : -status;
            Timer t = timers.get(key);
            if (t == null) {
                t = timers.computeIfAbsent(key, k -> Timer.builder("http.server.requests")
                        .tags(Tags.of("error", "none", "exception", "none", "method", "GET",
                                "outcome", status < 300 ? "SUCCESS" : status < 500 ? "CLIENT_ERROR" : "SERVER_ERROR",
                                "status", Integer.toString(status), "uri", handled ? URI_TEMPLATE : "UNKNOWN"))
                        .register(registry));
            }
            return t;
        }
    }
}
