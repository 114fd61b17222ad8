package dev.libsqlplatform.dataplane.http;

import dev.libsqlplatform.dataplane.error.ApiException;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds the bodies that Spring MVC reads itself ({@code @RequestBody} of the internal API) as {@link RequestBodies}
 * bounds the ones our controllers read: at most max-request-bytes, within body-read-timeout (on NIO2 with the
 * watchdog), every failure one typed answer. Without it such a body had no size limit and no overall deadline (a
 * client trickling one byte per read timeout held a request thread for as long as it liked), and on NIO2 a stalled one
 * got its connection closed. Requests without a body (GET, WebSocket upgrades) pass unwrapped; the controllers that
 * use {@link RequestBodies} find the body bounded already and do not bound it twice. The lean pipeline path
 * ({@link HranaPipelineValve}) does not pass here and bounds its own.
 */
@Component
class BoundedBodyFilter extends OncePerRequestFilter {
    private final RequestBodies bodies;

    BoundedBodyFilter(RequestBodies bodies) {
        this.bodies = bodies;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared;
        try {
            declared = RequestBodies.declaredLength(request);
        } catch (ApiException e) {
            ErrorResponses.write(response, e); // a filter's exception would miss the advice
            return;
        }
        if (declared <= 0 && request.getHeader("Transfer-Encoding") == null) {
            chain.doFilter(request, response);
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            private ServletInputStream stream;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (stream == null) {
                    stream = bodies.servletStream(request);
                }
                return stream;
            }

            @Override
            public BufferedReader getReader() throws IOException {
                String encoding = getCharacterEncoding();
                Charset charset = encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding);
                return new BufferedReader(new InputStreamReader(getInputStream(), charset));
            }
        }, response);
    }
}
