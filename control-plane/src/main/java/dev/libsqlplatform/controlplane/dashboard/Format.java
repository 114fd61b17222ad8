package dev.libsqlplatform.controlplane.dashboard;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the pages print sizes, counts and times (also called from the templates as {@code T(...)}). */
final class Format {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Format() {
    }

    /** Decimal units, as the plan states them (9 GB = 9,000,000,000 bytes). */
    static String bytes(long n) {
        if (n < 1000) {
            return n + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB", "PB"};
        double v = n;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(Locale.ROOT, v >= 100 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String time(Long epochMillis) {
        return epochMillis == null ? "never" : TIME.format(Instant.ofEpochMilli(epochMillis));
    }

    static String time(Instant instant) {
        return instant == null ? "never" : TIME.format(instant);
    }
}
