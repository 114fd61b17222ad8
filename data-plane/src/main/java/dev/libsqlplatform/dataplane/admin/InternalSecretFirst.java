package dev.libsqlplatform.dataplane.admin;

import dev.libsqlplatform.dataplane.config.ServiceSecret;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The internal API checks the service secret before Spring reads a request body ({@code @RequestBody} of the PUT and
 * of a move's import): argument resolution reads the body before the handler method runs, so the check inside the
 * handlers came too late, and a caller without the secret could make the worker wait for a slow body (README,
 * Security: "authenticate before reading a request body"). An interceptor runs before argument resolution. The
 * handlers keep their own check.
 */
@Configuration(proxyBeanMethods = false)
class InternalSecretFirst implements WebMvcConfigurer {
    private final ServiceSecret secret;

    InternalSecretFirst(ServiceSecret secret) {
        this.secret = secret;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                if (handler instanceof HandlerMethod m && (m.getBeanType() == InternalDatabasesController.class
                        || m.getBeanType() == MoveController.class)) {
                    InternalDatabasesController.requireSecret(secret, request.getHeader("Authorization"));
                }
                return true;
            }
        });
    }
}
