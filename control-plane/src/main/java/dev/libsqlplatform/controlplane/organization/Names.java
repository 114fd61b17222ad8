package dev.libsqlplatform.controlplane.organization;

import java.util.regex.Pattern;

import dev.libsqlplatform.controlplane.web.ApiError;

/** Name rules shared by groups and databases: lowercase letters, digits and dashes; one DNS label. */
public final class Names {

    /** {@code <db>-<org>} must fit in one DNS label. */
    public static final int MAX_LABEL = 63;

    private static final Pattern NAME = Pattern.compile("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$");

    private Names() {
    }

    public static void requireValid(String kind, String name) {
        if (name == null || name.isBlank()) {
            throw ApiError.NAME_INVALID.exception(kind + " name is required");
        }
        if (!NAME.matcher(name).matches()) {
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
        int max = MAX_LABEL - 1 - organizationSlug.length();
        if (name.length() > max) {
            throw ApiError.NAME_INVALID.exception("database name must contain between 1 and " + Math.max(max, 0)
                    + " characters: the hostname label '<database>-" + organizationSlug + "' is limited to "
                    + MAX_LABEL + " characters");
        }
    }
}
