package dev.libsqlplatform.controlplane.security;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorResponses;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Stateless security: {@code /v1/**} and {@code /v2/**} need a Platform API bearer token (looked up by hash);
 * {@code /internal/**} needs the service secret; health, metrics and API docs are open. Failures answer the
 * same JSON error shape as the rest of the API.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    static final String ROLE_USER = "ROLE_USER";
    static final String ROLE_SERVICE = "ROLE_SERVICE";

    /**
     * No Micrometer observation around each security filter, authentication and authorization: with the registry
     * Actuator provides, Spring Security wrapped every one of its filters in an observation (start, stop, tags,
     * meter lookups), about a tenth of the CPU of {@code GET .../databases/{db}} in a JFR profile (session 6). The
     * request itself is still observed ({@code http_server_requests}); no dashboard or test reads the
     * {@code spring_security_*} meters this drops.
     */
    @Bean
    static org.springframework.security.config.observation.SecurityObservationSettings securityObservationSettings() {
        return org.springframework.security.config.observation.SecurityObservationSettings.noObservations();
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, PlatformTokens tokens, ServiceSecret secret) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                // the defaults, from the one class that database.DatabaseGetValve writes them from too
                .headers(h -> h.defaultsDisabled().addHeaderWriter(ApiResponseHeaders.WRITER))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/internal/**").hasAuthority(ROLE_SERVICE)
                        .requestMatchers("/v1/**", "/v2/**").hasAuthority(ROLE_USER)
                        .anyRequest().permitAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> ErrorResponses.write(response, request,
                                ApiError.UNAUTHORIZED, request.getRequestURI().startsWith("/internal/")
                                        ? "service secret missing or wrong" : "token is invalid or expired"))
                        .accessDeniedHandler((request, response, ex) -> ErrorResponses.write(response, request,
                                ApiError.UNAUTHORIZED, request.getRequestURI().startsWith("/internal/")
                                        ? "service secret missing or wrong" : "token is invalid or expired")))
                .addFilterBefore(new BearerFilter(tokens, secret), AnonymousAuthenticationFilter.class);
        return http.build();
    }

    /** Authenticates the bearer token for the route family it protects; never logs it. */
    static final class BearerFilter extends OncePerRequestFilter {
        private final PlatformTokens tokens;
        private final ServiceSecret secret;

        BearerFilter(PlatformTokens tokens, ServiceSecret secret) {
            this.tokens = tokens;
            this.secret = secret;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            String bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : null;
            String uri = request.getRequestURI();
            if (bearer != null) {
                if (uri.startsWith("/internal/")) {
                    if (secret.matches(bearer)) {
                        SecurityContextHolder.getContext().setAuthentication(UsernamePasswordAuthenticationToken
                                .authenticated("service", null, List.of(new SimpleGrantedAuthority(ROLE_SERVICE))));
                    }
                } else if (uri.startsWith("/v1/") || uri.startsWith("/v2/")) {
                    tokens.authenticate(bearer).ifPresent(caller -> SecurityContextHolder.getContext().setAuthentication(
                            UsernamePasswordAuthenticationToken.authenticated(caller, null,
                                    List.of(new SimpleGrantedAuthority(ROLE_USER)))));
                }
            }
            try {
                chain.doFilter(request, response);
            } finally {
                SecurityContextHolder.clearContext();
            }
        }
    }
}
