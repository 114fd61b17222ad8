package dev.libsqlplatform.billing;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a month's organization totals into priced invoice lines: the plan's base price, then one line per meter
 * whose usage passed what the plan includes and that has an overage price. Lines with nothing to charge are left
 * out, so a starter organization's invoice is empty.
 */
public final class Invoicing {

    private Invoicing() {
    }

    /**
     * @param overagesBilled false when usage past the quotas is blocked rather than billed: no overage lines then
     */
    public static List<InvoiceLine> lines(PriceList prices, UsageTotals usage, boolean overagesBilled) {
        List<InvoiceLine> lines = new ArrayList<>();
        if (prices.baseCents() > 0) {
            lines.add(new InvoiceLine(prices.plan() + " plan (monthly)", 1, prices.baseCents()));
        }
        if (!overagesBilled) {
            return List.copyOf(lines);
        }
        for (Meter m : Meter.values()) {
            PriceList.OveragePrice price = prices.overage().get(m);
            long used = m.of(usage);
            long included = m.of(prices.included());
            if (price == null || price.unitCents() == 0 || used <= included) {
                continue;
            }
            long over = used - included;
            long units = over / price.unit() + (over % price.unit() == 0 ? 0 : 1);
            lines.add(new InvoiceLine(m.label() + " over " + included + " included: " + over + " " + m.unit()
                    + ", per started " + price.unit(), units, price.unitCents()));
        }
        return List.copyOf(lines);
    }

    /** {@link #lines(PriceList, UsageTotals, boolean)} with overages billed. */
    public static List<InvoiceLine> lines(PriceList prices, UsageTotals usage) {
        return lines(prices, usage, true);
    }

    public static long totalCents(List<InvoiceLine> lines) {
        long total = 0;
        for (InvoiceLine line : lines) {
            total = Math.addExact(total, line.amountCents());
        }
        return total;
    }
}
