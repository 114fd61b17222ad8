package dev.libsqlplatform.controlplane.dbtoken;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.libsqlplatform.controlplane.web.ApiError;

/**
 * The {@code expiration} query parameter (reference §4.5): {@code never} (default; also {@code none},
 * {@code default}, empty) or a concatenation of {@code <integer><unit>} with units w, d, h, m (minutes), s,
 * e.g. {@code 2w1d30m}. Anything else, or a zero/overflowing total, is 400 {@code Invalid expiration format}.
 */
public final class Expiration {

    private static final Pattern WHOLE = Pattern.compile("^(?:\\d+[wdhms])+$");
    private static final Pattern PART = Pattern.compile("(\\d+)([wdhms])");

    private Expiration() {
    }

    /** Empty = never expires. */
    public static Optional<Duration> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty() || v.equals("never") || v.equals("none") || v.equals("default")) {
            return Optional.empty();
        }
        if (!WHOLE.matcher(v).matches()) {
            throw invalid();
        }
        long seconds = 0;
        Matcher m = PART.matcher(v);
        try {
            while (m.find()) {
                long n = Long.parseLong(m.group(1));
                long unit = switch (m.group(2)) {
                    case "w" -> 7 * 86_400L;
                    case "d" -> 86_400L;
                    case "h" -> 3_600L;
                    case "m" -> 60L;
                    default -> 1L;
                };
                seconds = Math.addExact(seconds, Math.multiplyExact(n, unit));
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw invalid();
        }
        if (seconds <= 0 || seconds > 100L * 365 * 86_400) {
            throw invalid();
        }
        return Optional.of(Duration.ofSeconds(seconds));
    }

    private static RuntimeException invalid() {
        return ApiError.EXPIRATION_INVALID.exception("Invalid expiration format");
    }
}
