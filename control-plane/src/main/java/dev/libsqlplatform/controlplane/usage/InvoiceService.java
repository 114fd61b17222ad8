package dev.libsqlplatform.controlplane.usage;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.libsqlplatform.billing.InvoiceLine;
import dev.libsqlplatform.billing.Invoicing;
import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.PriceList;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.plan.CatalogPlan;
import dev.libsqlplatform.controlplane.plan.PlanCatalog;
import org.springframework.stereotype.Service;

/**
 * Monthly invoices computed from the usage records with billing-usage's {@link Invoicing}: each calendar month (UTC)
 * is priced with the plan and overages setting in effect at its end (the plan history; the current month: now) and
 * that plan's catalog prices, the organization's current quota overrides counting as included usage. Storage is the
 * sum of each database's latest reading in the month. Months with nothing to charge have no invoice (a starter
 * organization has none); the preview of the current month always exists.
 */
@Service
public class InvoiceService {

    static final int MAX_MONTHS = 24;

    private final UsageService usage;
    private final OrganizationService organizations;
    private final PlanCatalog catalog;

    InvoiceService(UsageService usage, OrganizationService organizations, PlanCatalog catalog) {
        this.usage = usage;
        this.organizations = organizations;
        this.catalog = catalog;
    }

    /** One month's invoice. {@code status}: {@code upcoming} (the current month, still growing) or {@code issued}. */
    public record Invoice(String number, YearMonth month, String planId, boolean overagesBilled, UsageTotals usage,
                          List<InvoiceLine> lines, long totalCents, String status) {

        /** {@code "12.34"}: US dollars, as the Platform API's {@code amount_due}. */
        public String amountDue() {
            return String.format("%d.%02d", totalCents / 100, totalCents % 100);
        }

        public String dueDate() {
            return month.plusMonths(1).atDay(1).toString();
        }
    }

    /** {@code type}: {@code all} (default), {@code upcoming} (the current month) or {@code issued} (past months). */
    public List<Invoice> invoices(Organization org, String type) {
        YearMonth current = YearMonth.from(usage.now().atZone(ZoneOffset.UTC));
        YearMonth first = YearMonth.from(Instant.ofEpochMilli(org.createdAt()).atZone(ZoneOffset.UTC));
        if (first.isBefore(current.minusMonths(MAX_MONTHS))) {
            first = current.minusMonths(MAX_MONTHS);
        }
        if (first.isAfter(current)) {
            first = current;
        }
        List<Invoice> out = new ArrayList<>();
        for (Map.Entry<YearMonth, UsageTotals> month : usage.monthly(org, first)) {
            boolean upcoming = month.getKey().equals(current);
            if (("upcoming".equals(type) && !upcoming) || ("issued".equals(type) && upcoming)) {
                continue;
            }
            Invoice invoice = price(org, month.getKey(), month.getValue(), upcoming);
            if (!invoice.lines().isEmpty()) {
                out.add(invoice);
            }
        }
        return out;
    }

    /** The current month's invoice as it stands now (empty lines on a free plan within its quotas). */
    public Invoice preview(Organization org) {
        YearMonth current = YearMonth.from(usage.now().atZone(ZoneOffset.UTC));
        List<Map.Entry<YearMonth, UsageTotals>> months = usage.monthly(org, current);
        return price(org, current, months.isEmpty() ? UsageTotals.ZERO : months.get(months.size() - 1).getValue(), true);
    }

    private Invoice price(Organization org, YearMonth month, UsageTotals totals, boolean upcoming) {
        long end = upcoming ? usage.now().toEpochMilli() : MonthlyWindow.of(month).to().toEpochMilli();
        OrganizationService.Subscription sub = organizations.subscriptionAt(org, end);
        CatalogPlan plan = catalog.of(sub.planId());
        PriceList prices = plan.prices(plan.limits().with(organizations.overrides(org.id())));
        boolean billed = sub.overages() && plan.overagesAvailable();
        List<InvoiceLine> lines = Invoicing.lines(prices, totals, billed);
        return new Invoice(org.slug() + "-" + month, month, plan.id(), billed, totals, lines,
                Invoicing.totalCents(lines), upcoming ? "upcoming" : "issued");
    }
}
