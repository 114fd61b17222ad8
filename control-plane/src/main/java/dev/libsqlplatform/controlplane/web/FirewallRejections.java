package dev.libsqlplatform.controlplane.web;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.stereotype.Component;

/**
 * Requests Spring Security's firewall refuses (paths with {@code ..}, {@code %2e}, {@code ;}, {@code %00}, ...)
 * answer {@code 400 {"error", "code": "bad_request"}} like every other client mistake, instead of Spring Boot's
 * {@code /error} body. Spring Security uses this bean because it is the only {@link RequestRejectedHandler}.
 */
@Component
class FirewallRejections implements RequestRejectedHandler {

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, RequestRejectedException e)
            throws IOException {
        ErrorResponses.write(response, request, ApiError.BAD_REQUEST, "request rejected: " + e.getMessage());
    }
}
