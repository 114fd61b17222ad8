package dev.libsqlplatform.controlplane.security;

import java.io.IOException;
import java.util.List;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorResponses;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AbstractAuthenticationProcessingFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.session.ChangeSessionIdAuthenticationStrategy;
import org.springframework.security.web.authentication.session.CompositeSessionAuthenticationStrategy;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.csrf.CsrfAuthenticationStrategy;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The admin dashboard's own filter chain, ordered before the Platform API's stateless one ({@link SecurityConfig}),
 * which keeps every other path exactly as before. Here: a session cookie, CSRF tokens on every POST (sign-in
 * included), sign-in with a password ({@link Passwords}) or a Platform API token ({@link PlatformTokens}), sign-out,
 * and a session ended as soon as the token it was opened with is revoked or expires. Roles are not decided here:
 * every dashboard action goes through the same {@code Authorizer} as the API.
 */
@Configuration(proxyBeanMethods = false)
class DashboardSecurityConfig {

    static final String SIGN_IN = "/sign-in";

    @Bean
    @Order(1)
    SecurityFilterChain dashboardFilterChain(HttpSecurity http, Passwords passwords, PlatformTokens tokens)
            throws Exception {
        HttpSessionCsrfTokenRepository csrfTokens = new HttpSessionCsrfTokenRepository();
        HttpSessionSecurityContextRepository contexts = new HttpSessionSecurityContextRepository();
        SignInFilter signIn = new SignInFilter(passwords, tokens);
        signIn.setSecurityContextRepository(contexts);
        // a new session id and a new CSRF token at sign-in: nothing fixed before it survives
        signIn.setSessionAuthenticationStrategy(new CompositeSessionAuthenticationStrategy(List.of(
                new ChangeSessionIdAuthenticationStrategy(), new CsrfAuthenticationStrategy(csrfTokens))));
        SavedRequestAwareAuthenticationSuccessHandler success = new SavedRequestAwareAuthenticationSuccessHandler();
        success.setDefaultTargetUrl("/dashboard");
        signIn.setAuthenticationSuccessHandler(success);
        signIn.setAuthenticationFailureHandler((request, response, e) -> response.sendRedirect(
                request.getContextPath() + SIGN_IN + "?error=" + (e instanceof LockedException ? "locked"
                        : request.getParameter("token") != null && !request.getParameter("token").isBlank()
                        ? "token" : "password")));

        http.securityMatcher("/", "/dashboard", "/dashboard/**", SIGN_IN, "/sign-out", "/dashboard-assets/**")
                .csrf(c -> c.csrfTokenRepository(csrfTokens))
                .securityContext(s -> s.securityContextRepository(contexts))
                .httpBasic(h -> h.disable())
                .formLogin(f -> f.disable())
                .headers(h -> h
                        .frameOptions(f -> f.deny())
                        .contentSecurityPolicy(c -> c.policyDirectives("default-src 'self'; img-src 'self' data:; "
                                + "style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")))
                .logout(l -> l.logoutUrl("/sign-out").logoutSuccessUrl(SIGN_IN + "?signed-out")
                        .deleteCookies("JSESSIONID"))
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/", SIGN_IN, "/dashboard-assets/**").permitAll()
                        .anyRequest().hasAuthority(SecurityConfig.ROLE_USER))
                .exceptionHandling(e -> e.authenticationEntryPoint(new LoginUrlAuthenticationEntryPoint(SIGN_IN))
                        // only a missing or wrong CSRF token gets here (roles are the Authorizer's): without a signed-in
                        // session it is a form left open past its session, so sign in again; with one it is forged
                        .accessDeniedHandler((request, response, ex) -> {
                            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
                            if (auth == null || !(auth.getPrincipal() instanceof Caller)) {
                                response.sendRedirect(request.getContextPath() + SIGN_IN + "?error=expired");
                            } else {
                                ErrorResponses.write(response, request, ApiError.FORBIDDEN, "the form's CSRF token is "
                                        + "missing or wrong: reload the page and try again");
                            }
                        }))
                .addFilterAt(signIn, UsernamePasswordAuthenticationFilter.class)
                .addFilterAfter(new TokenStillValid(tokens), UsernamePasswordAuthenticationFilter.class);
        return http.build();
    }

    static Authentication authenticated(Caller caller) {
        return UsernamePasswordAuthenticationToken.authenticated(caller, null,
                List.of(new SimpleGrantedAuthority(SecurityConfig.ROLE_USER)));
    }

    /** POST /sign-in: {@code token} (a Platform API token) when given, else {@code username} and {@code password}. */
    static final class SignInFilter extends AbstractAuthenticationProcessingFilter {
        private final Passwords passwords;
        private final PlatformTokens tokens;

        SignInFilter(Passwords passwords, PlatformTokens tokens) {
            super(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, SIGN_IN));
            this.passwords = passwords;
            this.tokens = tokens;
        }

        @Override
        public Authentication attemptAuthentication(HttpServletRequest request, HttpServletResponse response)
                throws AuthenticationException {
            String token = request.getParameter("token");
            if (token != null && !token.isBlank()) {
                return authenticated(tokens.authenticate(token.trim()).orElseThrow(() ->
                        new org.springframework.security.authentication.BadCredentialsException("token is invalid or expired")));
            }
            return authenticated(passwords.signIn(request.getParameter("username"), request.getParameter("password")));
        }
    }

    /** A session opened with a Platform API token lives only as long as that token. */
    static final class TokenStillValid extends OncePerRequestFilter {
        private final PlatformTokens tokens;

        TokenStillValid(PlatformTokens tokens) {
            this.tokens = tokens;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            Authentication auth = SecurityContextHolder.getContext().getAuthentication();
            if (auth != null && auth.getPrincipal() instanceof Caller caller && caller.tokenId() != null
                    && !tokens.active(caller.tokenId())) {
                SecurityContextHolder.clearContext();
                HttpSession session = request.getSession(false);
                if (session != null) {
                    session.invalidate();
                }
            }
            chain.doFilter(request, response);
        }
    }
}
