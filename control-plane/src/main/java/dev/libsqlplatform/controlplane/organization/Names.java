package dev.libsqlplatform.controlplane.organization;

import dev.libsqlplatform.contract.hostname.HostnameLabel;
import dev.libsqlplatform.controlplane.web.ApiError;

/**
 * Name rules shared by groups and databases, with the Platform API's error messages; the rule itself is the
 * contract's {@link HostnameLabel} (lowercase letters, digits and dashes; {@code <db>-<org>} one DNS label).
 */
public final class Names {

    /** {@code <db>-<org>} must fit in one DNS label. */
    public static final int MAX_LABEL = HostnameLabel.MAX_LENGTH;

    private Names() {
    }

    public static void requireValid(String kind, String name) {
        if (name == null || name.isBlank()) {
            throw ApiError.NAME_INVALID.exception(kind + " name is required");
        }
        if (!HostnameLabel.isValidName(name)) {
            throw ApiError.NAME_INVALID.exception("invalid " + kind + " name '" + name
                    + "': use lowercase letters, numbers and dashes, starting and ending with a letter or number");
        }
        if (name.length() > 64) {
            throw ApiError.NAME_INVALID.exception(kind + " name must contain between 1 and 64 characters");
        }
    }

    /** Database names: also {@code <db>-<org>} ≤ 63 characters. */
    public static void requireValidDatabaseName(String name, String organizationSlug) {
        requireValid("database", name);
        int max = HostnameLabel.maxDatabaseNameLength(organizationSlug);
        if (name.length() > max) {
            throw ApiError.NAME_INVALID.exception("database name must contain between 1 and " + Math.max(max, 0)
                    + " characters: the hostname label '<database>-" + organizationSlug + "' is limited to "
                    + MAX_LABEL + " characters");
        }
    }
}
