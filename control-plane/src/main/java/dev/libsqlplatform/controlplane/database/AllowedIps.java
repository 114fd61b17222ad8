package dev.libsqlplatform.controlplane.database;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

import dev.libsqlplatform.controlplane.web.ApiError;

/**
 * {@code allowed_ips} entries: IPv4 or IPv6 literals, optionally with a CIDR prefix length — exactly what workers
 * accept (docs/internals.md). Checked when the configuration is PATCHed so that a value the worker would refuse
 * answers 400 here instead of leaving the database's push failing forever in the reconciler.
 */
final class AllowedIps {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private AllowedIps() {
    }

    static void requireValid(List<String> entries) {
        for (String entry : entries) {
            String e = entry.trim();
            int slash = e.indexOf('/');
            byte[] address = literal(slash < 0 ? e : e.substring(0, slash));
            if (address == null) {
                throw invalid(entry, "is not an IP address or CIDR range");
            }
            if (slash >= 0) {
                String prefix = e.substring(slash + 1);
                if (!prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) > address.length * 8) {
                    throw invalid(entry, "has an invalid prefix length");
                }
            }
        }
    }

    /** The bytes of an IP literal, or null. The patterns come first so that InetAddress never resolves a name. */
    private static byte[] literal(String s) {
        if (IPV4.matcher(s).matches()) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        } else if (!IPV6.matcher(s).matches()) {
            return null;
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static RuntimeException invalid(String entry, String why) {
        return ApiError.ALLOWED_IPS_INVALID.exception("allowed_ips entry '" + entry + "' " + why
                + " (expected e.g. 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32)");
    }
}
