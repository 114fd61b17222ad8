package dev.libsqlplatform.billing;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * A half-open time window {@code [from, to)}. Billing windows are calendar months in UTC, as Turso's
 * ("quota will reset on the first of next month").
 */
public record MonthlyWindow(Instant from, Instant to) {

    public MonthlyWindow {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("window must end after it starts");
        }
    }

    public static MonthlyWindow of(YearMonth month) {
        return new MonthlyWindow(month.atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC),
                month.plusMonths(1).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC));
    }

    public static MonthlyWindow containing(Instant instant) {
        return of(YearMonth.from(instant.atZone(ZoneOffset.UTC)));
    }

    /**
     * The window of the Platform API's {@code ?from=&to=} query: each bound is RFC 3339 with an offset
     * (with or without fractional seconds); a missing bound defaults to the current month's.
     *
     * @throws IllegalArgumentException naming the parameter, for a value without offset or not a date
     */
    public static MonthlyWindow parse(String from, String to, Instant now) {
        MonthlyWindow current = containing(now);
        Instant start = from == null || from.isBlank() ? current.from : parseBound("from", from);
        Instant end = to == null || to.isBlank() ? current.to : parseBound("to", to);
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("invalid window: from must be before to");
        }
        return new MonthlyWindow(start, end);
    }

    private static Instant parseBound(String name, String value) {
        try {
            return java.time.OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("invalid " + name + " parameter: parsing time \"" + value
                    + "\" as RFC 3339: " + e.getMessage());
        }
    }

    public boolean contains(Instant instant) {
        return !instant.isBefore(from) && instant.isBefore(to);
    }
}
