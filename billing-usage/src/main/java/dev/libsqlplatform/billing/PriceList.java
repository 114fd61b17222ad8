package dev.libsqlplatform.billing;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One plan's prices, in US cents: a monthly base price and, per {@link Meter}, what the base price includes and the
 * price of each started block of {@code unit} beyond it. Data, not code: the control plane reads it from its plan
 * catalog. A meter without an overage price is never charged (usage past its quota is blocked instead).
 *
 * @param plan      plan id, for the invoice's base line
 * @param baseCents monthly plan price
 * @param included  usage included in the base price (the plan's quotas after the organization's overrides)
 * @param overage   price per meter beyond {@code included}
 */
public record PriceList(String plan, long baseCents, UsageTotals included, Map<Meter, OveragePrice> overage) {

    /** Overage price: {@code unitCents} per started block of {@code unit} (rows or bytes). */
    public record OveragePrice(long unit, long unitCents) {
        public OveragePrice {
            if (unit <= 0 || unitCents < 0) {
                throw new IllegalArgumentException("an overage unit must be positive and its price not negative");
            }
        }
    }

    /** The starter plan is free and has no overages: usage past its quotas is blocked, not billed. */
    public static final PriceList STARTER = new PriceList("starter", 0,
            new UsageTotals(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE), Map.of());

    public PriceList {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(included, "included");
        if (baseCents < 0) {
            throw new IllegalArgumentException("prices must not be negative");
        }
        overage = overage == null || overage.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(overage));
    }

    /** Whether anything can be charged beyond the base price. */
    public boolean hasOverages() {
        return !overage.isEmpty();
    }

    /** The same prices with other included amounts (the organization's effective quotas). */
    public PriceList including(UsageTotals quotas) {
        return new PriceList(plan, baseCents, quotas, overage);
    }
}
