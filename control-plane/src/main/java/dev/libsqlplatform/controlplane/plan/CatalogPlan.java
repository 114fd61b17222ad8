package dev.libsqlplatform.controlplane.plan;

import java.util.Map;

import dev.libsqlplatform.billing.Meter;
import dev.libsqlplatform.billing.PriceList;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.quotas.Plan;

/**
 * One plan of the catalog.
 *
 * @param limits            its quotas ({@link Long#MAX_VALUE} = unlimited)
 * @param priceCents        monthly price in US cents
 * @param overagesAvailable whether an organization on it may switch {@code overages} on (usage past the quotas is
 *                          then billed at {@code overage} instead of blocked)
 * @param overage           price per meter beyond the quota
 */
public record CatalogPlan(Plan limits, long priceCents, boolean overagesAvailable,
                          Map<Meter, PriceList.OveragePrice> overage) {

    public CatalogPlan {
        overage = Map.copyOf(overage);
    }

    public String id() {
        return limits.id();
    }

    /** This plan's prices with {@code effective}'s quotas (the organization's overrides applied) as included usage. */
    public PriceList prices(Plan effective) {
        return new PriceList(id(), priceCents, new UsageTotals(effective.rowsRead(), effective.rowsWritten(),
                effective.storageBytes(), effective.bytesSynced()), overagesAvailable ? overage : Map.of());
    }

    /** {@code "4.99"}: the price as the Platform API's {@code OrganizationPlan.price} carries it. */
    public String priceDollars() {
        return String.format("%d.%02d", priceCents / 100, priceCents % 100).replaceFirst("\\.00$", "");
    }
}
