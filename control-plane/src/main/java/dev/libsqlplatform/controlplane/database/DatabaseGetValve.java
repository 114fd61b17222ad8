package dev.libsqlplatform.controlplane.database;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code GET /v1/organizations/{org}/databases/{db}} from Tomcat's engine pipeline, before the host valve, the
 * servlet filters (request observation, character encoding, Spring Security's chain and its firewall, the org-less
 * routes) and Spring MVC's dispatch: at 5,000 databases those were most of what a get cost once its queries were
 * hand-written (session 6 JFR: "mostly Spring MVC's dispatch and Tomcat"). The worker's {@code HranaPipelineValve}
 * does the same for SQL. {@link DatabaseGetFastPath} decides what it takes and answers with the normal pipeline's
 * code; everything else goes on unchanged.
 */
final class DatabaseGetValve extends ValveBase {

    private final ObjectProvider<DatabaseGetFastPath> provider;
    private volatile DatabaseGetFastPath path;

    /** The fast path is resolved on the first request: Tomcat is built before the application's beans exist. */
    DatabaseGetValve(ObjectProvider<DatabaseGetFastPath> provider) {
        super(true);
        this.provider = provider;
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        DatabaseGetFastPath p = path;
        if (p == null) {
            p = provider.getObject();
            path = p;
        }
        if (!p.serve(request, response)) {
            getNext().invoke(request, response);
        }
    }

    /**
     * Ordered last, so the valve comes after Spring Boot's {@code RemoteIpValve} ({@code server.forward-headers-strategy=native}),
     * which makes {@code request.isSecure()} (HSTS) what the normal pipeline sees. Not installed with the
     * {@code framework} strategy: there a servlet filter rewrites the request, after this valve.
     */
    @Configuration(proxyBeanMethods = false)
    static class Registration {

        @Bean
        @org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE)
        WebServerFactoryCustomizer<TomcatServletWebServerFactory> databaseGetValve(ObjectProvider<DatabaseGetFastPath> path,
                                                                                    org.springframework.core.env.Environment env) {
            boolean framework = "framework".equalsIgnoreCase(env.getProperty("server.forward-headers-strategy", "").trim());
            return factory -> {
                if (!framework) {
                    factory.addEngineValves(new DatabaseGetValve(path));
                }
            };
        }
    }
}
