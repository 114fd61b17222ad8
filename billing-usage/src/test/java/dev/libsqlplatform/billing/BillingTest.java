package dev.libsqlplatform.billing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BillingTest {

    private static final MonthlyWindow NOV = MonthlyWindow.of(YearMonth.of(2026, 11));

    private static UsageRecord rec(String org, String db, String at, long read, long written, long storage, long synced) {
        return new UsageRecord(org, db, Instant.parse(at), read, written, storage, synced);
    }

    @Test
    void monthlyWindowIsHalfOpenUtcMonth() {
        assertThat(NOV.from()).isEqualTo(Instant.parse("2026-11-01T00:00:00Z"));
        assertThat(NOV.to()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThat(NOV.contains(Instant.parse("2026-11-30T23:59:59.999Z"))).isTrue();
        assertThat(NOV.contains(Instant.parse("2026-12-01T00:00:00Z"))).isFalse();
        assertThat(MonthlyWindow.containing(Instant.parse("2026-11-24T10:00:00Z"))).isEqualTo(NOV);
    }

    @Test
    void parsesApiBoundsWithAndWithoutFractionAndRejectsMissingOffset() {
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        assertThat(MonthlyWindow.parse(null, null, now)).isEqualTo(NOV);
        MonthlyWindow w = MonthlyWindow.parse("2026-11-02T00:00:00.000Z", "2026-11-03T00:00:00+01:00", now);
        assertThat(w.from()).isEqualTo(Instant.parse("2026-11-02T00:00:00Z"));
        assertThat(w.to()).isEqualTo(Instant.parse("2026-11-02T23:00:00Z"));
        assertThatThrownBy(() -> MonthlyWindow.parse("2023-12-12T00:00:00", null, now))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("invalid from parameter");
        assertThatThrownBy(() -> MonthlyWindow.parse("2026-11-05T00:00:00Z", "2026-11-04T00:00:00Z", now))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countersSumAndStorageIsTheLatestGaugeInTheWindow() {
        List<UsageRecord> records = List.of(
                rec("o1", "a", "2026-11-01T00:00:00Z", 10, 1, 4096, 0),
                rec("o1", "a", "2026-11-20T00:00:00Z", 5, 2, 16384, 100),
                rec("o1", "a", "2026-11-10T00:00:00Z", 1, 0, 8192, 0),
                rec("o1", "a", "2026-10-31T23:59:59Z", 1000, 1000, 999999, 1000), // previous month
                rec("o1", "b", "2026-11-05T00:00:00Z", 3, 3, 4096, 0),
                rec("o2", "c", "2026-11-05T00:00:00Z", 7, 0, 4096, 0));
        Map<String, UsageTotals> perDb = UsageLedger.perDatabase(records, NOV);
        assertThat(perDb.get("a")).isEqualTo(new UsageTotals(16, 3, 16384, 100));
        assertThat(perDb.get("b")).isEqualTo(new UsageTotals(3, 3, 4096, 0));
        Map<String, UsageTotals> perOrg = UsageLedger.perOrganization(records, NOV);
        assertThat(perOrg.get("o1")).isEqualTo(new UsageTotals(19, 6, 20480, 100));
        assertThat(perOrg.get("o2")).isEqualTo(new UsageTotals(7, 0, 4096, 0));
        assertThat(perOrg).containsOnlyKeys("o1", "o2");
    }

    @Test
    void starterInvoiceIsEmpty() {
        List<InvoiceLine> lines = Invoicing.lines(PriceList.STARTER, new UsageTotals(5_000_000_000L, 1, 1, 1));
        assertThat(lines).isEmpty();
        assertThat(Invoicing.totalCents(lines)).isZero();
    }

    @Test
    void overageIsChargedPerStartedUnit() {
        PriceList scaler = new PriceList("scaler", 2900, new UsageTotals(100_000_000L, 10_000_000L, 24_000_000_000L, 0),
                Map.of(Meter.ROWS_READ, new PriceList.OveragePrice(1_000_000_000L, 80),
                        Meter.ROWS_WRITTEN, new PriceList.OveragePrice(1_000_000L, 80),
                        Meter.STORAGE, new PriceList.OveragePrice(1_000_000_000L, 50),
                        Meter.BYTES_SYNCED, new PriceList.OveragePrice(1_000_000_000L, 35)));
        UsageTotals used = new UsageTotals(100_000_001L, 10_000_000L, 25_500_000_000L, 1);
        List<InvoiceLine> lines = Invoicing.lines(scaler, used, true);
        assertThat(lines).extracting(InvoiceLine::quantity, InvoiceLine::unitCents).containsExactly(
                tuple(1L, 2900L), tuple(1L, 80L), tuple(2L, 50L), tuple(1L, 35L));
        assertThat(lines.get(1).description()).isEqualTo("rows read over 100000000 included: 1 rows, per started 1000000000");
        assertThat(Invoicing.totalCents(lines)).isEqualTo(2900 + 80 + 100 + 35);
        // rows written exactly at the quota: nothing to charge
        assertThat(lines).noneMatch(l -> l.description().startsWith("rows written"));
        // overages off: usage past the quota was blocked, only the base price is due
        assertThat(Invoicing.lines(scaler, used, false)).containsExactly(new InvoiceLine("scaler plan (monthly)", 1, 2900));
    }

    @Test
    void rejectsNegativeUsage() {
        assertThatThrownBy(() -> rec("o", "d", "2026-11-01T00:00:00Z", -1, 0, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
