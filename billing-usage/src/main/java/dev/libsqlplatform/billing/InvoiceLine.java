package dev.libsqlplatform.billing;

/**
 * One priced line: {@code quantity} billable units at {@code unitCents} each.
 */
public record InvoiceLine(String description, long quantity, long unitCents) {

    public long amountCents() {
        return Math.multiplyExact(quantity, unitCents);
    }
}
