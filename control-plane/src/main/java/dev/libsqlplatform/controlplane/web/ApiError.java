package dev.libsqlplatform.controlplane.web;

import org.springframework.http.HttpStatus;

/**
 * Every error the Platform API can answer: HTTP status and a stable machine code. The message texts follow
 * the Turso reference where one exists (clients print them).
 */
public enum ApiError {
    UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized"),
    NOT_A_MEMBER(HttpStatus.FORBIDDEN, "not_a_member"),
    /** An organization-bound API token asked for something of another organization, or of no organization. */
    TOKEN_BOUND_TO_ORGANIZATION(HttpStatus.FORBIDDEN, "token_bound_to_organization"),
    ORGANIZATION_NOT_FOUND(HttpStatus.NOT_FOUND, "organization_not_found"),
    ORGANIZATION_EXISTS(HttpStatus.CONFLICT, "organization_already_exists"),
    DATABASE_NOT_FOUND(HttpStatus.NOT_FOUND, "database_not_found"),
    GROUP_NOT_FOUND(HttpStatus.NOT_FOUND, "group_not_found"),
    /** Create database naming a group that does not exist: 400 per the reference. */
    UNKNOWN_GROUP(HttpStatus.BAD_REQUEST, "group_not_found"),
    LOCATION_INVALID(HttpStatus.BAD_REQUEST, "invalid_location"),
    DATABASE_EXISTS(HttpStatus.CONFLICT, "database_already_exists"),
    /** {@code <db>-<org>} is already the hostname label of a database of another organization. */
    HOSTNAME_TAKEN(HttpStatus.CONFLICT, "hostname_already_exists"),
    ALLOWED_IPS_INVALID(HttpStatus.BAD_REQUEST, "invalid_allowed_ips"),
    GROUP_EXISTS(HttpStatus.CONFLICT, "group_already_exists"),
    NAME_INVALID(HttpStatus.BAD_REQUEST, "invalid_name"),
    EXPIRATION_INVALID(HttpStatus.BAD_REQUEST, "invalid_expiration"),
    AUTHORIZATION_INVALID(HttpStatus.BAD_REQUEST, "invalid_authorization"),
    DELETE_PROTECTED(HttpStatus.BAD_REQUEST, "delete_protection_enabled"),
    DATABASE_LIMIT_REACHED(HttpStatus.PAYMENT_REQUIRED, "database_limit_reached"),
    GROUP_LIMIT_REACHED(HttpStatus.PAYMENT_REQUIRED, "group_limit_reached"),
    LOCATION_LIMIT_REACHED(HttpStatus.PAYMENT_REQUIRED, "location_limit_reached"),
    TOKEN_NOT_FOUND(HttpStatus.NOT_FOUND, "token_not_found"),
    FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden"),
    MEMBER_NOT_FOUND(HttpStatus.NOT_FOUND, "member_not_found"),
    USER_NOT_FOUND(HttpStatus.NOT_FOUND, "user_not_found"),
    MEMBER_EXISTS(HttpStatus.CONFLICT, "member_already_exists"),
    USER_EXISTS(HttpStatus.CONFLICT, "user_already_exists"),
    INVITE_NOT_FOUND(HttpStatus.NOT_FOUND, "invite_not_found"),
    INVITE_EXISTS(HttpStatus.CONFLICT, "invite_already_exists"),
    ROLE_INVALID(HttpStatus.BAD_REQUEST, "invalid_role"),
    LAST_OWNER(HttpStatus.BAD_REQUEST, "last_owner"),
    ATTACH_NOT_SUPPORTED(HttpStatus.BAD_REQUEST, "attach_not_supported"),
    SEED_NOT_SUPPORTED(HttpStatus.BAD_REQUEST, "seed_not_supported"),
    PLAN_NOT_FOUND(HttpStatus.BAD_REQUEST, "plan_not_found"),
    OVERAGES_NOT_AVAILABLE(HttpStatus.PAYMENT_REQUIRED, "overages_not_available"),
    SIZE_LIMIT_INVALID(HttpStatus.BAD_REQUEST, "invalid_size_limit"),
    DATE_INVALID(HttpStatus.BAD_REQUEST, "invalid_date"),
    INSTANCE_NOT_FOUND(HttpStatus.NOT_FOUND, "instance_not_found"),
    WORKER_NOT_FOUND(HttpStatus.NOT_FOUND, "worker_not_found"),
    /** Draining the last live, non-draining worker would leave its databases nowhere to go. */
    LAST_LIVE_WORKER(HttpStatus.CONFLICT, "last_live_worker"),
    API_TOKEN_NOT_FOUND(HttpStatus.NOT_FOUND, "api_token_not_found"),
    API_TOKEN_EXISTS(HttpStatus.CONFLICT, "api_token_already_exists"),
    BAD_REQUEST(HttpStatus.BAD_REQUEST, "bad_request"),
    MALFORMED_JSON(HttpStatus.BAD_REQUEST, "malformed_json"),
    NOT_FOUND(HttpStatus.NOT_FOUND, "not_found"),
    METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed"),
    NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not_acceptable"),
    UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
    CONFLICT(HttpStatus.CONFLICT, "conflict"),
    INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal_error");

    private final HttpStatus status;
    private final String code;

    ApiError(HttpStatus status, String code) {
        this.status = status;
        this.code = code;
    }

    public HttpStatus status() {
        return status;
    }

    public String code() {
        return code;
    }

    public ApiException exception(String message) {
        return new ApiException(this, message);
    }

    /** Maps a tenant-quotas denial code to its error. */
    public static ApiError forQuotaCode(String quotaCode) {
        for (ApiError e : values()) {
            if (e.status == HttpStatus.PAYMENT_REQUIRED && e.code.equals(quotaCode)) {
                return e;
            }
        }
        return DATABASE_LIMIT_REACHED;
    }
}
