package dev.libsqlplatform.contract.hostname;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The hostname label of a database (docs/internals.md "Hostname labels"): {@code <db>-<org>}, one DNS label under the
 * base domain. The control plane names databases with it and keeps it unique across organizations; workers index
 * their databases by it and route {@code Host: <label>.<base-domain>} to them.
 */
public final class HostnameLabel {

    /** A DNS label holds at most 63 characters (RFC 1035). */
    public static final int MAX_LENGTH = 63;

    /** Database, group and organization names: lowercase letters, digits and inner dashes. */
    private static final Pattern NAME = Pattern.compile("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$");

    private HostnameLabel() {
    }

    /**
     * The label of database {@code database} in organization {@code organization}. Lowercased, as DNS names are
     * case-insensitive and Host headers arrive in any case (the control plane's names are lowercase already).
     */
    public static String of(String database, String organization) {
        return (database + "-" + organization).toLowerCase(Locale.ROOT);
    }

    /** Whether {@code name} may be part of a label: lowercase letters, digits, dashes, not starting or ending with one. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** The longest database name whose label in {@code organization} still fits one DNS label (may be ≤ 0). */
    public static int maxDatabaseNameLength(String organization) {
        return MAX_LENGTH - 1 - organization.length();
    }

    /** Whether {@code <database>-<organization>} is a valid DNS label. */
    public static boolean isValid(String database, String organization) {
        return isValidName(database) && isValidName(organization)
                && database.length() <= maxDatabaseNameLength(organization);
    }

    /**
     * The databases' hostnames under one base domain ({@code <label>.<base-domain>}); built once, used for every
     * request.
     */
    public static final class BaseDomain {
        private final String suffix;

        public BaseDomain(String baseDomain) {
            this.suffix = "." + baseDomain.toLowerCase(Locale.ROOT);
        }

        /** {@code <label>.<base-domain>}. */
        public String hostname(String label) {
            return label + suffix;
        }

        /**
         * The label a {@code Host} header names, or null when it names none: no Host, an IP literal (clients that
         * connect by address), another domain, or a deeper name. A trailing dot and a port are ignored. Called on
         * every request: IPv4 hosts are recognised without allocating.
         */
        public String labelOf(String host) {
            if (host == null || host.isEmpty() || isIpv4Literal(host) || host.isBlank()) {
                return null;
            }
            String h = host.trim().toLowerCase(Locale.ROOT);
            if (h.startsWith("[")) {
                return null; // IPv6 literal
            }
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
            if (h.endsWith(".")) {
                h = h.substring(0, h.length() - 1);
            }
            if (!h.endsWith(suffix)) {
                return null;
            }
            String label = h.substring(0, h.length() - suffix.length());
            return label.isEmpty() || label.contains(".") ? null : label;
        }
    }

    /** Digits, dots and an optional :port: no hostname label to route by. */
    static boolean isIpv4Literal(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c == ':') {
                return i > 0;
            }
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }
}
