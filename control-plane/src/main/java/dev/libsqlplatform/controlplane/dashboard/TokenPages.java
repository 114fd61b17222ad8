package dev.libsqlplatform.controlplane.dashboard;

import java.util.List;

import dev.libsqlplatform.controlplane.apitoken.ApiToken;
import dev.libsqlplatform.controlplane.apitoken.ApiTokenService;
import dev.libsqlplatform.controlplane.dbtoken.DatabaseTokenService;
import dev.libsqlplatform.controlplane.group.DbGroup;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import org.springframework.stereotype.Service;

/**
 * Tokens: database and group tokens minted with the Platform API's own service (shown once, never stored here), and
 * the signed-in user's Platform API tokens (created, listed, revoked as {@code /v1/auth/api-tokens} does).
 */
@Service
class TokenPages {

    private final DatabaseTokenService databaseTokens;
    private final ApiTokenService apiTokens;
    private final GroupService groups;
    private final Audit audit;

    TokenPages(DatabaseTokenService databaseTokens, ApiTokenService apiTokens, GroupService groups, Audit audit) {
        this.audit = audit;
        this.databaseTokens = databaseTokens;
        this.apiTokens = apiTokens;
        this.groups = groups;
    }

    /** A freshly minted token: its value is on this one answer only. */
    record Minted(String kind, String subject, String access, String expiration, String value) {
    }

    /** {@code access}: full-access or read-only; {@code expiration}: never or e.g. 1d, 2w (the API's format). */
    Minted mintDatabase(Shell shell, String database, String access, String expiration) {
        String value = databaseTokens.mint(shell.org(), database, new DatabaseTokenService.MintRequest(
                expiration, access, List.of(), shell.caller().userId()));
        audit.record(shell, "db-token-create", "created a token for database " + database,
                java.util.Map.of("db", database, "authorization", access, "expiration", blankToNever(expiration)));
        return new Minted("database", database, access, blankToNever(expiration), value);
    }

    Minted mintGroup(Shell shell, String group, String access, String expiration) {
        String value = databaseTokens.mintGroup(shell.org(), group, new DatabaseTokenService.MintRequest(
                expiration, access, List.of(), shell.caller().userId()));
        audit.record(shell, "group-token-create", "created a token for group " + group,
                java.util.Map.of("group", group, "authorization", access, "expiration", blankToNever(expiration)));
        return new Minted("group", group, access, blankToNever(expiration), value);
    }

    void revokeDatabaseToken(Shell shell, String database, String jti) {
        databaseTokens.revoke(shell.org(), database, jti);
        audit.record(shell, "db-token-revoke", "revoked token " + jti + " of database " + database,
                java.util.Map.of("db", database, "jti", jti));
    }

    List<String> groupNames(Shell shell) {
        return groups.list(shell.org()).stream().map(DbGroup::name).sorted().toList();
    }

    /** One group with its tokens that have not expired. */
    record GroupTokens(String group, List<DatabaseTokenService.TokenInfo> tokens) {
    }

    /** The groups of the organization (a plan allows a handful) that have unexpired tokens, with those tokens. */
    List<GroupTokens> groupTokens(Shell shell) {
        return groupNames(shell).stream().map(g -> new GroupTokens(g, unexpired(databaseTokens.listGroup(shell.org(), g))))
                .filter(g -> !g.tokens().isEmpty()).toList();
    }

    void revokeGroupToken(Shell shell, String group, String jti) {
        databaseTokens.revokeGroup(shell.org(), group, jti);
        audit.record(shell, "group-token-revoke", "revoked token " + jti + " of group " + group,
                java.util.Map.of("group", group, "jti", jti));
    }

    /**
     * Expired tokens are left out of the lists: they open nothing, and the SQL console's one-minute tokens would
     * otherwise pile up there.
     */
    static List<DatabaseTokenService.TokenInfo> unexpired(List<DatabaseTokenService.TokenInfo> tokens) {
        java.time.Instant now = java.time.Instant.now();
        return tokens.stream().filter(t -> t.expiresAt() == null || t.expiresAt().isAfter(now)).toList();
    }

    /** One Platform API token; {@code organization} null: it acts in every organization of the user. */
    record ApiTokenRow(String name, String organization, String created, String expires, boolean revocable) {
    }

    List<ApiTokenRow> apiTokens(Caller caller) {
        return apiTokens.listWithOrganizations(caller).stream().map(t -> new ApiTokenRow(t.token().name(),
                t.organization(), Format.time(t.token().createdAt()), Format.time(t.token().expiresAt()),
                // the bootstrap token is configuration's (PLATFORM_ADMIN_TOKEN), not revocable by name
                ApiToken.KIND_USER.equals(t.token().kind()))).toList();
    }

    Minted createApiToken(Caller caller, String name) {
        if (caller.restricted()) {
            // the API answers the same for an organization-bound token creating an unbound one
            throw ApiError.TOKEN_BOUND_TO_ORGANIZATION.exception("a session opened with an organization-bound API "
                    + "token cannot create API tokens");
        }
        ApiTokenService.IssuedToken issued = apiTokens.issue(caller.userId(), name == null ? null : name.trim());
        audit.record(null, caller.username(), "api-token-create", "created API token " + issued.token().name(),
                java.util.Map.of("name", issued.token().name()));
        return new Minted("Platform API", issued.token().name(), "the signed-in user's access", "never", issued.value());
    }

    void revokeApiToken(Caller caller, String name) {
        apiTokens.revoke(caller, name);
        audit.record(null, caller.username(), "api-token-revoke", "revoked API token " + name, java.util.Map.of("name", name));
    }

    private static String blankToNever(String expiration) {
        return expiration == null || expiration.isBlank() ? "never" : expiration.trim();
    }
}
