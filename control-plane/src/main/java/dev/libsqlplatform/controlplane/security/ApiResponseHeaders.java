package dev.libsqlplatform.controlplane.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.web.header.HeaderWriter;

/**
 * The response headers of every Platform API answer, in one place: the Platform API filter chain
 * ({@link SecurityConfig}) writes them through {@link #WRITER}, and {@code database.DatabaseGetValve}, which answers
 * {@code GET .../databases/{db}} before that chain, writes them through {@link #write}. They are Spring Security's
 * defaults, in its order and with its rules (each only when the answer has not set it; the cache headers not on a
 * 304 and not when the answer set any of them; HSTS only over HTTPS), so the API's headers did not change when this
 * class replaced them.
 */
public final class ApiResponseHeaders {

    public static final String CACHE_CONTROL = "no-cache, no-store, max-age=0, must-revalidate";
    public static final String HSTS = "max-age=31536000 ; includeSubDomains";

    /**
     * Name and value of every header {@link #write} adds to a response that has none of them yet and is not a 304,
     * in order; Strict-Transport-Security (HTTPS only) is the fifth when present.
     */
    private static final String[][] PLAIN = {{"X-Content-Type-Options", "nosniff"}, {"X-XSS-Protection", "0"},
            {"Cache-Control", CACHE_CONTROL}, {"Pragma", "no-cache"}, {"Expires", "0"}, {"X-Frame-Options", "DENY"}};

    /** For {@code HttpSecurity.headers(h -> h.defaultsDisabled().addHeaderWriter(...))}. */
    public static final HeaderWriter WRITER = ApiResponseHeaders::write;

    private ApiResponseHeaders() {
    }

    /**
     * The headers {@link #write} adds to a fresh response (no header set, status not 304), as name/value pairs in
     * order: for code that writes them itself without the servlet API's per-header checks.
     */
    public static java.util.List<String[]> fresh(boolean secure) {
        java.util.List<String[]> all = new java.util.ArrayList<>();
        for (String[] h : PLAIN) {
            if (secure && h[0].equals("X-Frame-Options")) {
                all.add(new String[]{"Strict-Transport-Security", HSTS});
            }
            all.add(h.clone());
        }
        return all;
    }

    public static void write(HttpServletRequest request, HttpServletResponse response) {
        if (!response.containsHeader("X-Content-Type-Options")) {
            response.addHeader("X-Content-Type-Options", "nosniff");
        }
        if (!response.containsHeader("X-XSS-Protection")) {
            response.setHeader("X-XSS-Protection", "0");
        }
        if (response.getStatus() != HttpServletResponse.SC_NOT_MODIFIED && !response.containsHeader("Cache-Control")
                && !response.containsHeader("Expires") && !response.containsHeader("Pragma")) {
            response.addHeader("Cache-Control", CACHE_CONTROL);
            response.addHeader("Pragma", "no-cache");
            response.addHeader("Expires", "0");
        }
        if (request.isSecure() && !response.containsHeader("Strict-Transport-Security")) {
            response.setHeader("Strict-Transport-Security", HSTS);
        }
        if (!response.containsHeader("X-Frame-Options")) {
            response.addHeader("X-Frame-Options", "DENY");
        }
    }
}
