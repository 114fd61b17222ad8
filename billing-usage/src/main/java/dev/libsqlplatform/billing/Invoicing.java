package dev.libsqlplatform.billing;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a month's organization totals into priced invoice lines. Lines with nothing to charge are
 * left out, so a starter organization's invoice is empty.
 */
public final class Invoicing {

    private static final long MILLION = 1_000_000L;
    private static final long GB = 1_000_000_000L;

    private Invoicing() {
    }

    public static List<InvoiceLine> lines(PriceList prices, UsageTotals usage) {
        List<InvoiceLine> lines = new ArrayList<>();
        if (prices.baseCents() > 0) {
            lines.add(new InvoiceLine("plan", 1, prices.baseCents()));
        }
        addOverage(lines, "rows read (per million)", usage.rowsRead(), prices.includedRowsRead(), MILLION,
                prices.centsPerMillionRowsRead());
        addOverage(lines, "rows written (per million)", usage.rowsWritten(), prices.includedRowsWritten(), MILLION,
                prices.centsPerMillionRowsWritten());
        addOverage(lines, "storage (per GB)", usage.storageBytes(), prices.includedStorageBytes(), GB,
                prices.centsPerGbStorage());
        addOverage(lines, "bytes synced (per GB)", usage.bytesSynced(), prices.includedBytesSynced(), GB,
                prices.centsPerGbSynced());
        return List.copyOf(lines);
    }

    public static long totalCents(List<InvoiceLine> lines) {
        long total = 0;
        for (InvoiceLine line : lines) {
            total = Math.addExact(total, line.amountCents());
        }
        return total;
    }

    private static void addOverage(List<InvoiceLine> lines, String what, long used, long included, long unit,
                                   long unitCents) {
        if (used <= included || unitCents == 0) {
            return;
        }
        long over = used - included;
        long units = over / unit + (over % unit == 0 ? 0 : 1);
        lines.add(new InvoiceLine(what, units, unitCents));
    }
}
