package dev.libsqlplatform.controlplane.apitoken;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import dev.libsqlplatform.controlplane.security.Caller;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** Platform API token routes (reference §4.6). */
@RestController
class AuthController {

    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    private final ApiTokenService tokens;

    AuthController(ApiTokenService tokens) {
        this.tokens = tokens;
    }

    record Validation(long exp) {
    }

    record TokenInfo(String id, String name, String created_at) {
    }

    record CreatedV1(String name, String id, String token) {
    }

    record CreatedV2Token(String name, String id, String value) {
    }

    /** {@code {"exp": -1}} for tokens without expiry, else unix seconds. */
    @GetMapping({"/v1/auth/validate", "/v1/auth/api-tokens/validate"})
    Validation validate(@AuthenticationPrincipal Caller caller) {
        return new Validation(caller.expiresAtMillis() == null ? -1 : caller.expiresAtMillis() / 1000);
    }

    @GetMapping("/v1/auth/api-tokens")
    Map<String, List<TokenInfo>> list(@AuthenticationPrincipal Caller caller) {
        return Map.of("tokens", tokens.list(caller.userId()).stream()
                .map(t -> new TokenInfo(t.id(), t.name(), DAY.format(Instant.ofEpochMilli(t.createdAt())))).toList());
    }

    @PostMapping("/v1/auth/api-tokens/{name}")
    CreatedV1 createV1(@AuthenticationPrincipal Caller caller, @PathVariable String name) {
        ApiTokenService.IssuedToken issued = tokens.issue(caller.userId(), name);
        return new CreatedV1(issued.token().name(), issued.token().id(), issued.value());
    }

    @PostMapping("/v2/auth/api-tokens/{name}")
    Map<String, CreatedV2Token> createV2(@AuthenticationPrincipal Caller caller, @PathVariable String name) {
        ApiTokenService.IssuedToken issued = tokens.issue(caller.userId(), name);
        return Map.of("token", new CreatedV2Token(issued.token().name(), issued.token().id(), issued.value()));
    }

    @DeleteMapping("/v1/auth/api-tokens/{name}")
    Map<String, String> revoke(@AuthenticationPrincipal Caller caller, @PathVariable String name) {
        return Map.of("token", tokens.revoke(caller.userId(), name).name());
    }
}
