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

    TokenPages(DatabaseTokenService databaseTokens, ApiTokenService apiTokens, GroupService groups) {
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
        return new Minted("database", database, access, blankToNever(expiration), value);
    }

    Minted mintGroup(Shell shell, String group, String access, String expiration) {
        String value = databaseTokens.mintGroup(shell.org(), group, new DatabaseTokenService.MintRequest(
                expiration, access, List.of(), shell.caller().userId()));
        return new Minted("group", group, access, blankToNever(expiration), value);
    }

    void revokeDatabaseToken(Shell shell, String database, String jti) {
        databaseTokens.revoke(shell.org(), database, jti);
    }

    List<String> groupNames(Shell shell) {
        return groups.list(shell.org()).stream().map(DbGroup::name).sorted().toList();
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
        return new Minted("Platform API", issued.token().name(), "the signed-in user's access", "never", issued.value());
    }

    void revokeApiToken(Caller caller, String name) {
        apiTokens.revoke(caller, name);
    }

    private static String blankToNever(String expiration) {
        return expiration == null || expiration.isBlank() ? "never" : expiration.trim();
    }
}
