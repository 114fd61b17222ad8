package dev.libsqlplatform.controlplane.database;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.libsqlplatform.controlplane.web.ApiError;

/**
 * {@code size_limit} (reference §4.4): bytes ({@code 10000}) or a number with a unit: decimal {@code kb mb gb tb}
 * (powers of 1000, as Go's humanize which the Turso CLI uses) or binary {@code kib mib gib tib}; {@code b} = bytes.
 * Anything else, or zero, is 400 {@code invalid size_limit}.
 */
public final class SizeLimit {

    private static final Pattern VALUE = Pattern.compile("^(\\d+)\\s*([kmgt]i?b|b)?$");

    private SizeLimit() {
    }

    public static long parse(String value) {
        if (value == null) {
            throw invalid(null);
        }
        Matcher m = VALUE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw invalid(value);
        }
        long unit = switch (m.group(2) == null ? "b" : m.group(2)) {
            case "kb" -> 1_000L;
            case "mb" -> 1_000_000L;
            case "gb" -> 1_000_000_000L;
            case "tb" -> 1_000_000_000_000L;
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            case "tib" -> 1L << 40;
            default -> 1L;
        };
        try {
            long bytes = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            if (bytes <= 0) {
                throw invalid(value);
            }
            return bytes;
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalid(value);
        }
    }

    private static RuntimeException invalid(String value) {
        return ApiError.SIZE_LIMIT_INVALID.exception("invalid size_limit: " + value
                + " (expected bytes, or a number with unit kb, mb, gb, tb, e.g. 256mb)");
    }
}
