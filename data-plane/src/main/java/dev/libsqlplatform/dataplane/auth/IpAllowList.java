package dev.libsqlplatform.dataplane.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A database's {@code allowedIps}: IP addresses and CIDR ranges (IPv4 and IPv6; an IPv4-mapped IPv6
 * address matches its IPv4 form). Empty allows every address. Only literals are accepted, so parsing
 * never does a DNS lookup.
 */
public final class IpAllowList {
    private record Range(byte[] network, int prefix) {
    }

    private final List<Range> ranges;

    private IpAllowList(List<Range> ranges) {
        this.ranges = ranges;
    }

    /** @throws IllegalArgumentException naming the first entry that is not an IP address or CIDR range */
    public static IpAllowList parse(List<String> entries) {
        List<Range> out = new ArrayList<>();
        if (entries != null) {
            for (String e : entries) {
                out.add(parseEntry(e));
            }
        }
        return new IpAllowList(List.copyOf(out));
    }

    public boolean allowsAll() {
        return ranges.isEmpty();
    }

    /** @param remoteAddress the peer's IP literal; null or unparsable is refused unless the list is empty */
    public boolean allows(String remoteAddress) {
        if (ranges.isEmpty()) {
            return true;
        }
        byte[] addr = literal(remoteAddress);
        if (addr == null) {
            return false;
        }
        for (Range r : ranges) {
            if (r.network().length == addr.length && matches(r.network(), addr, r.prefix())) {
                return true;
            }
        }
        return false;
    }

    private static Range parseEntry(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("an empty entry in `allowedIps`");
        }
        String e = entry.trim();
        int slash = e.indexOf('/');
        byte[] addr = literal(slash < 0 ? e : e.substring(0, slash));
        if (addr == null) {
            throw new IllegalArgumentException("`allowedIps` entry '" + entry + "' is not an IP address or CIDR range");
        }
        int prefix = addr.length * 8;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(e.substring(slash + 1));
            } catch (NumberFormatException ex) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > addr.length * 8) {
                throw new IllegalArgumentException("`allowedIps` entry '" + entry + "' has an invalid prefix length");
            }
        }
        return new Range(addr, prefix);
    }

    private static boolean matches(byte[] network, byte[] addr, int prefix) {
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != addr[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (network[full] & mask) == (addr[full] & mask);
    }

    /** The address bytes of an IP literal (4 or 16), or null when it is not one. Never resolves names. */
    static byte[] literal(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        int zone = t.indexOf('%');
        if (zone >= 0) {
            t = t.substring(0, zone);
        }
        boolean v6 = t.indexOf(':') >= 0;
        if (v6) {
            for (int i = 0; i < t.length(); i++) {
                char c = t.charAt(i);
                if (!(c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                    return null;
                }
            }
        } else if (!t.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            return null;
        } else {
            for (String part : t.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(t).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
