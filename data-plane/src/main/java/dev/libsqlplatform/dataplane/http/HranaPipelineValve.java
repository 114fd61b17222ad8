package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.contract.internalapi.InternalApi;
import dev.libsqlplatform.dataplane.hrana.Access;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.tomcat.util.buf.ByteChunk;
import org.apache.tomcat.util.buf.MessageBytes;
import org.apache.tomcat.util.http.MimeHeaders;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The hot path: {@code POST /v2/pipeline} and {@code POST /v3/pipeline} served straight from Tomcat's
 * engine pipeline, before the host valve (context class-loader binding), the servlet filter chain and the
 * DispatcherServlet. Measured on the point-read load: the filters (request observation, character encoding,
 * form content, request context) and Spring MVC's handler lookup and argument resolution took about a third of
 * the worker's Java CPU per request, the host valve's context binding another 2 %. Headers are read as bytes
 * and Content-Type written as bytes: Tomcat's charset decoder and encoder lookups per header were another 3 %.
 * Everything else (other paths and methods, version probes, cursor, legacy {@code POST /}, admin API,
 * actuator) goes on to Spring MVC unchanged. The handler is {@link HranaController#pipeline}; errors are
 * answered by {@link ErrorResponses#write}, the same mapping the Spring MVC advice uses.
 * Trade-off: these requests are not counted in Spring's {@code http.server.requests} metric.
 */
final class HranaPipelineValve extends ValveBase {
    private final ObjectProvider<HranaController> provider;
    private volatile HranaController controller;

    /** The controller is resolved on the first request: Tomcat is built before the controllers exist. */
    HranaPipelineValve(ObjectProvider<HranaController> provider) {
        super(true);
        this.provider = provider;
    }

    private HranaController controller() {
        HranaController c = controller;
        if (c == null) {
            c = provider.getObject();
            controller = c;
        }
        return c;
    }

    /** Bodies up to this size are read whole before parsing; longer ones (and chunked ones) are parsed as they arrive. */
    private static final long MAX_BUFFERED_BODY = 64 * 1024;

    /** Written as a header of bytes: a String value would go through a charset encoder on every response. */
    private static final java.util.function.Consumer<HttpServletResponse> JSON_CONTENT_TYPE = resp -> {
        byte[] value = HranaController.JSON_BYTES;
        ((Response) resp).getCoyoteResponse().getMimeHeaders().addValue("Content-Type").setBytes(value, 0,
                value.length);
    };

    /** A header as a String without Tomcat's per-call decoder lookup (header bytes are ISO-8859-1 anyway). */
    static String latin1(MessageBytes mb) {
        if (mb == null) {
            return null;
        }
        if (mb.getType() == MessageBytes.T_BYTES) {
            ByteChunk bc = mb.getByteChunk();
            return new String(bc.getBuffer(), bc.getStart(), bc.getLength(), StandardCharsets.ISO_8859_1);
        }
        return mb.toString();
    }

    static boolean isPipeline(String method, String uri) {
        return "POST".equals(method) && ("/v2/pipeline".equals(uri) || "/v3/pipeline".equals(uri));
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        // every request: a body read that fails in Tomcat must be answerable by our error mapping, on this path and
        // on Spring MVC's (TomcatBodyErrors)
        TomcatBodyErrors.enter(response);
        if (TomcatRelay.relaying()) {
            // a connection the SQL port's front handed over: the client's address, not the relay's
            String client = TomcatRelay.clientOf(request.getRemoteAddr(), request.getRemotePort());
            if (client != null) {
                request.setRemoteAddr(client);
                request.setRemoteHost(client);
            }
        }
        try {
            if (!isPipeline(request.getMethod(), request.getRequestURI())) {
                getNext().invoke(request, response);
            } else {
                pipeline(request, response);
            }
        } finally {
            TomcatBodyErrors.exit();
        }
    }

    private void pipeline(Request request, Response response) throws IOException {
        try {
            MimeHeaders headers = request.getCoyoteRequest().getMimeHeaders();
            String authorization = latin1(headers.getValue("authorization"));
            if (authorization == null) {
                authorization = latin1(headers.getValue("x-authorization"));
            }
            String host = latin1(headers.getValue("host"));
            HranaController c = controller();
            // the token first: an unauthenticated client never makes the worker wait for its body (a request for a
            // database hosted elsewhere is forwarded whole: null)
            Access access = c.authenticateOrForward(request, response, authorization, host,
                    latin1(headers.getValue(InternalApi.FORWARDED_BY)));
            if (access == null) {
                return;
            }
            long length = RequestBodies.declaredLength(request);
            c.bodies().checkDeclaredLength(length);
            ClientWatch.begin(request.getLocalPort(), request.getRemotePort());
            try {
                if (length > 0 && length <= MAX_BUFFERED_BODY) {
                    c.pipeline(access, c.bodies().readAll(request.getInputStream(), (int) length), response,
                            JSON_CONTENT_TYPE);
                } else {
                    c.pipeline(access, c.bodies().bounded(request.getInputStream()), response, JSON_CONTENT_TYPE);
                }
            } finally {
                ClientWatch.done();
            }
        } catch (IOException e) {
            throw e; // writing the answer failed: the client went away (body read failures are ApiExceptions)
        } catch (RuntimeException e) {
            ErrorResponses.write(response, e);
        }
    }
}
