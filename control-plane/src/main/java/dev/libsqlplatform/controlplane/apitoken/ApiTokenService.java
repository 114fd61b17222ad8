package dev.libsqlplatform.controlplane.apitoken;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import dev.libsqlplatform.controlplane.metadata.Ids;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.user.User;
import dev.libsqlplatform.controlplane.user.UserRepository;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Platform API tokens: opaque random strings, stored only as SHA-256 hashes, looked up by hash. */
@Service
public class ApiTokenService {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiTokenRepository tokens;
    private final UserRepository users;
    private final JdbcAggregateTemplate aggregates;

    ApiTokenService(ApiTokenRepository tokens, UserRepository users, JdbcAggregateTemplate aggregates) {
        this.tokens = tokens;
        this.users = users;
        this.aggregates = aggregates;
    }

    public static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String newTokenValue() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "lsp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The caller owning this bearer token, when it exists and has not expired. */
    public Optional<Caller> authenticate(String bearer) {
        if (bearer == null || bearer.isBlank()) {
            return Optional.empty();
        }
        return tokens.findByTokenHash(hash(bearer))
                .filter(t -> t.expiresAt() == null || t.expiresAt() > Ids.now())
                .flatMap(t -> users.findById(t.userId()).map(u -> new Caller(u.id(), u.username(), t.id(), t.expiresAt())));
    }

    /**
     * Makes {@code token} the user's bootstrap token: inserted when the user has none, its hash replaced when
     * it differs (PLATFORM_ADMIN_TOKEN changed between starts). Returns true when something changed.
     */
    @Transactional
    public boolean ensureBootstrapToken(String userId, String token) {
        String hash = hash(token);
        Optional<ApiToken> existing = tokens.findByUserIdAndKind(userId, ApiToken.KIND_BOOTSTRAP);
        if (existing.isPresent()) {
            if (existing.get().tokenHash().equals(hash)) {
                return false;
            }
            tokens.updateHash(existing.get().id(), hash);
            return true;
        }
        aggregates.insert(new ApiToken(Ids.newId(), userId, "bootstrap-admin", ApiToken.KIND_BOOTSTRAP, hash, Ids.now(), null));
        return true;
    }

    public boolean hasBootstrapToken(String userId) {
        return tokens.findByUserIdAndKind(userId, ApiToken.KIND_BOOTSTRAP).isPresent();
    }

    /** A new named token for the user; the value is returned once and never stored. */
    @Transactional
    public IssuedToken issue(String userId, String name) {
        if (tokens.findByUserIdAndName(userId, name).isPresent()) {
            throw ApiError.API_TOKEN_EXISTS.exception("token with name " + name + " already exists");
        }
        String value = newTokenValue();
        ApiToken token = aggregates.insert(new ApiToken(Ids.newId(), userId, name, ApiToken.KIND_USER, hash(value), Ids.now(), null));
        return new IssuedToken(token, value);
    }

    public List<ApiToken> list(String userId) {
        return tokens.findByUserIdOrderByCreatedAt(userId);
    }

    @Transactional
    public ApiToken revoke(String userId, String name) {
        ApiToken token = tokens.findByUserIdAndName(userId, name)
                .orElseThrow(() -> ApiError.API_TOKEN_NOT_FOUND.exception("could not find token " + name));
        tokens.delete(token);
        return token;
    }

    public Optional<User> user(String userId) {
        return users.findById(userId);
    }

    public record IssuedToken(ApiToken token, String value) {
    }
}
