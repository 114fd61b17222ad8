package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import dev.libsqlplatform.dataplane.error.ErrorCode;
import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The hot path: {@code POST /v2/pipeline} and {@code POST /v3/pipeline} served straight from Tomcat's
 * context pipeline, before the servlet filter chain and the DispatcherServlet. Measured on the point-read
 * load, the filters (request observation, character encoding, form content, request context) and Spring
 * MVC's handler lookup and argument resolution took about a third of the worker's Java CPU per request.
 * Everything else (other paths and methods, version probes, cursor, legacy {@code POST /}, admin API,
 * actuator) goes on to Spring MVC unchanged. The handler is the same {@link HranaController#pipeline}
 * method, and errors get the same {@code {"message", "code"}} bodies as {@link ErrorResponses} gives.
 * Trade-off: these requests are not counted in Spring's {@code http.server.requests} metric.
 */
final class HranaPipelineValve extends ValveBase {
    private static final Logger log = LoggerFactory.getLogger(HranaPipelineValve.class);

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

    static boolean isPipeline(String method, String uri) {
        return "POST".equals(method) && ("/v2/pipeline".equals(uri) || "/v3/pipeline".equals(uri));
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        if (!isPipeline(request.getMethod(), request.getRequestURI())) {
            getNext().invoke(request, response);
            return;
        }
        try {
            controller().pipeline(request, response);
        } catch (ApiException e) {
            ErrorResponses.write(response, e.code(), e.getMessage());
        } catch (IOException e) {
            throw e; // the client went away: nothing to answer
        } catch (RuntimeException e) {
            log.error("unexpected error", e);
            ErrorResponses.write(response, ErrorCode.INTERNAL_ERROR, "internal error: " + e.getClass().getSimpleName());
        }
    }
}
