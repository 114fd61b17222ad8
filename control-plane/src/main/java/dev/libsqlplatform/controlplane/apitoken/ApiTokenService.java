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
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.user.User;
import dev.libsqlplatform.controlplane.security.PlatformTokens;
import dev.libsqlplatform.controlplane.user.FirstTokens;
import dev.libsqlplatform.controlplane.user.UserService;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.data.jdbc.core.JdbcAggregateTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Platform API tokens: opaque random strings, stored only as SHA-256 hashes, looked up by hash. */
@Service
public class ApiTokenService implements PlatformTokens, FirstTokens {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiTokenRepository tokens;
    private final UserService users;
    private final JdbcAggregateTemplate aggregates;
    private final OrganizationService organizations;
    private final Authorizer authorizer;
    private final TokenCache cache;

    ApiTokenService(ApiTokenRepository tokens, UserService users, JdbcAggregateTemplate aggregates,
                    OrganizationService organizations,
                    Authorizer authorizer, TokenCache cache) {
        this.cache = cache;
        this.authorizer = authorizer;
        this.organizations = organizations;
        this.tokens = tokens;
        this.users = users;
        this.aggregates = aggregates;
    }

    /** One digest per thread: every authenticated request hashes its token, and the provider lookup showed in JFR. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public static String hash(String token) {
        // digest() resets the digest, so a thread's next call starts clean
        return HexFormat.of().formatHex(SHA_256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }

    public static String newTokenValue() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return "lsp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public Optional<Caller> authenticate(String bearer) {
        if (bearer == null || bearer.isBlank()) {
            return Optional.empty();
        }
        String hash = hash(bearer);
        return cache.authenticate(hash, () -> tokens.findByTokenHash(hash)
                .filter(t -> t.expiresAt() == null || t.expiresAt() > Ids.now())
                .flatMap(t -> users.byId(t.userId()).map(u -> new Caller(u.id(), u.username(), t.id(), t.expiresAt(),
                        t.organizationId()))));
    }

    @Override
    public boolean active(String tokenId) {
        return tokens.findById(tokenId).filter(t -> t.expiresAt() == null || t.expiresAt() > Ids.now()).isPresent();
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
            cache.revoked();
            return true;
        }
        aggregates.insert(new ApiToken(Ids.newId(), userId, "bootstrap-admin", ApiToken.KIND_BOOTSTRAP, hash, Ids.now(), null,
                null));
        return true;
    }

    public boolean hasBootstrapToken(String userId) {
        return tokens.findByUserIdAndKind(userId, ApiToken.KIND_BOOTSTRAP).isPresent();
    }

    /** A new named, unrestricted token for the user; the value is returned once and never stored. */
    @Transactional
    public IssuedToken issue(String userId, String name) {
        return issue(userId, name, null);
    }

    @Override
    @Transactional
    public String issueFirst(String userId, String name) {
        return issue(userId, name).value();
    }

    /**
     * A new named token for the user, bound to {@code organizationId} when not null (the caller has checked the
     * user's membership); the value is returned once and never stored. 400 for an invalid name, 409 for a taken one.
     */
    @Transactional
    public IssuedToken issue(String userId, String name, String organizationId) {
        if (name == null || name.isBlank() || name.length() > 64 || !name.matches("^[A-Za-z0-9._-]+$")) {
            throw ApiError.NAME_INVALID.exception("invalid token name '" + name
                    + "': use 1 to 64 letters, numbers, dots, dashes and underscores");
        }
        if (tokens.findByUserIdAndName(userId, name).isPresent()) {
            throw ApiError.API_TOKEN_EXISTS.exception("token with name " + name + " already exists");
        }
        String value = newTokenValue();
        ApiToken token = aggregates.insert(new ApiToken(Ids.newId(), userId, name, ApiToken.KIND_USER, hash(value),
                Ids.now(), null, organizationId));
        return new IssuedToken(token, value);
    }

    /** An organization's tokens with their owners: all of them, or only {@code ownerUserId}'s when not null. */
    public List<OwnedToken> listForOrganization(String organizationId, String ownerUserId) {
        List<ApiToken> found = ownerUserId == null ? tokens.findByOrganizationIdOrderByCreatedAt(organizationId)
                : tokens.findByOrganizationIdAndUserIdOrderByCreatedAt(organizationId, ownerUserId);
        java.util.Map<String, User> owners = new java.util.HashMap<>();
        return found.stream().map(t -> new OwnedToken(t, owners.computeIfAbsent(t.userId(),
                id -> users.byId(id).orElse(new User(id, "", "", "", 0))))).toList();
    }

    /**
     * Revokes token {@code tokenId} of the organization: 404 when no token of that organization has this id; a
     * caller who may not manage the organization's tokens ({@code mayManageAll} false) may revoke only their own
     * (403 otherwise).
     */
    @Transactional
    public ApiToken revokeInOrganization(String organizationId, String tokenId, String callerUserId,
                                         boolean mayManageAll, String deniedMessage) {
        ApiToken token = tokens.findById(tokenId).filter(t -> organizationId.equals(t.organizationId()))
                .orElseThrow(() -> ApiError.API_TOKEN_NOT_FOUND.exception("could not find token " + tokenId));
        if (!mayManageAll && !token.userId().equals(callerUserId)) {
            throw ApiError.FORBIDDEN.exception(deniedMessage);
        }
        tokens.delete(token);
        cache.revoked();
        return token;
    }

    /**
     * {@code POST /v1/auth/invalidate} ({@code turso auth logout --all}): revokes every token the caller minted up
     * to now except the one making the call (so the caller is never locked out; revoke it by name afterwards if
     * wanted) and the administrator's bootstrap token (managed by configuration). Returns validFrom (epoch ms).
     */
    @Transactional
    public long invalidate(Caller caller) {
        long validFrom = Ids.now();
        if (caller.restricted()) {
            // an organization-bound token logs out its own organization only, never the user's other tokens
            tokens.invalidateInOrganization(caller.userId(), caller.tokenId(), caller.organizationId(), validFrom);
        } else {
            tokens.invalidate(caller.userId(), caller.tokenId(), validFrom);
        }
        cache.revoked();
        return validFrom;
    }

    /** Tokens bound to a deleted organization go with it. */
    @org.springframework.context.event.EventListener
    void onOrganizationDeleted(dev.libsqlplatform.controlplane.organization.OrganizationDeleted event) {
        tokens.deleteByOrganization(event.organizationId());
        cache.revoked();
    }

    public record OwnedToken(ApiToken token, User owner) {
    }

    public List<ApiToken> list(String userId) {
        return tokens.findByUserIdOrderByCreatedAt(userId);
    }

    /**
     * The caller's tokens, each with the slug of the organization it is bound to (null: unrestricted). An
     * organization-bound caller sees only the tokens bound to its organization.
     */
    public List<BoundToken> listWithOrganizations(Caller caller) {
        java.util.Map<String, String> slugs = new java.util.HashMap<>();
        return tokens.findByUserIdOrderByCreatedAt(caller.userId()).stream()
                .filter(t -> !caller.restricted() || caller.organizationId().equals(t.organizationId()))
                .map(t -> new BoundToken(t,
                t.organizationId() == null ? null : slugs.computeIfAbsent(t.organizationId(),
                        id -> organizations.byId(id).map(o -> o.slug()).orElse(null)))).toList();
    }

    public record BoundToken(ApiToken token, String organization) {
    }

    /**
     * Revokes the caller's token {@code name}. An organization-bound caller may revoke only tokens bound to its own
     * organization (403 for the user's other tokens: they act outside it).
     */
    @Transactional
    public ApiToken revoke(Caller caller, String name) {
        ApiToken token = tokens.findByUserIdAndName(caller.userId(), name)
                .orElseThrow(() -> ApiError.API_TOKEN_NOT_FOUND.exception("could not find token " + name));
        if (caller.restricted() && !caller.organizationId().equals(token.organizationId())) {
            throw authorizer.boundElsewhere(caller, "revoke token " + name + ", which is not bound to it");
        }
        tokens.delete(token);
        cache.revoked();
        return token;
    }

    public Optional<User> user(String userId) {
        return users.byId(userId);
    }

    public record IssuedToken(ApiToken token, String value) {
    }
}
