package dev.libsqlplatform.controlplane.usage;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.billing.InvoiceLine;
import dev.libsqlplatform.billing.Invoicing;
import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.PriceList;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.group.GroupView;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import dev.libsqlplatform.quotas.Plan;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Usage, top queries, plans, subscription and invoices (reference §4.2, §4.4, §7). */
@RestController
class UsageController {

    private static final String ORG = "/v1/organizations/{org}";

    private final Authorizer authorizer;
    private final UsageService usage;
    private final DatabaseService databases;
    private final GroupService groups;
    private final OrganizationService organizations;

    UsageController(Authorizer authorizer, UsageService usage, DatabaseService databases, GroupService groups,
                    OrganizationService organizations) {
        this.authorizer = authorizer;
        this.usage = usage;
        this.databases = databases;
        this.groups = groups;
        this.organizations = organizations;
    }

    /** {@code DatabaseUsageObject}. */
    record UsageObject(@JsonProperty("rows_read") long rowsRead, @JsonProperty("rows_written") long rowsWritten,
                       @JsonProperty("storage_bytes") long storageBytes, @JsonProperty("bytes_synced") long bytesSynced) {
        static UsageObject of(UsageTotals t) {
            return new UsageObject(t.rowsRead(), t.rowsWritten(), t.storageBytes(), t.bytesSynced());
        }
    }

    record InstanceUsage(String uuid, UsageObject usage) {
    }

    /** Both {@code usage} (CLI, npm) and {@code total} (spec) carry the aggregate. */
    record DatabaseUsage(String uuid, List<InstanceUsage> instances, UsageObject usage, UsageObject total) {
    }

    record OrganizationTotals(@JsonProperty("rows_read") long rowsRead, @JsonProperty("rows_written") long rowsWritten,
                              @JsonProperty("storage_bytes") long storageBytes,
                              @JsonProperty("bytes_synced") long bytesSynced, long databases, long locations,
                              long groups) {
    }

    record OrganizationUsage(String uuid, OrganizationTotals usage, List<DatabaseUsage> databases) {
    }

    record TopQueryView(String query, @JsonProperty("rows_read") long rowsRead,
                        @JsonProperty("rows_written") long rowsWritten) {
        static TopQueryView of(UsageService.TopQuery q) {
            return new TopQueryView(q.query(), q.rowsRead(), q.rowsWritten());
        }
    }

    record Quotas(long rowsRead, long rowsWritten, long databases, long locations, long storage, long groups,
                  long bytesSynced) {
    }

    record Price(String value, String timeline) {
    }

    record PlanView(String name, String price, List<Price> prices, Quotas quotas) {
        static PlanView of(Plan p) {
            return new PlanView(p.id(), "0", List.of(new Price("0", "monthly")), new Quotas(p.rowsRead(), p.rowsWritten(),
                    p.databases(), p.locations(), p.storageBytes(), p.groups(), p.bytesSynced()));
        }
    }

    record Subscription(String name, boolean overages, String plan, String timeline) {
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Invoice(@JsonProperty("invoice_number") String invoiceNumber, @JsonProperty("amount_due") String amountDue,
                   @JsonProperty("due_date") String dueDate, @JsonProperty("paid_at") String paidAt,
                   @JsonProperty("payment_failed_at") String paymentFailedAt,
                   @JsonProperty("invoice_pdf") String invoicePdf, String status,
                   @JsonProperty("hosted_invoice_url") String hostedInvoiceUrl, List<InvoiceLine> lines) {
    }

    // Answer bodies: one record per shape so the OpenAPI document names every field.

    record DatabaseUsageResponse(DatabaseUsage database) {
    }

    record OrganizationUsageResponse(OrganizationUsage organization) {
    }

    record StatsResponse(@JsonProperty("top_queries") List<TopQueryView> topQueries) {
    }

    record PlansResponse(List<PlanView> plans) {
    }

    record SubscriptionResponse(Subscription subscription) {
    }

    record InvoicesResponse(List<Invoice> invoices) {
    }

    private static DatabaseUsage databaseUsage(Database db, UsageTotals totals) {
        UsageObject u = UsageObject.of(totals);
        String instance = UUID.nameUUIDFromBytes(("instance:" + db.id()).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
        return new DatabaseUsage(db.id(), List.of(new InstanceUsage(instance, u)), u, u);
    }

    @GetMapping(ORG + "/databases/{db}/usage")
    @ErrorAnswers({ApiError.DATE_INVALID, ApiError.DATABASE_NOT_FOUND})
    DatabaseUsageResponse databaseUsage(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                             @PathVariable String db, @RequestParam(required = false) String from,
                                             @RequestParam(required = false) String to) {
        Organization o = authorizer.require(caller, org, Action.READ);
        MonthlyWindow window = UsageService.window(from, to);
        Database d = databases.get(o, db);
        return new DatabaseUsageResponse(databaseUsage(d, usage.database(d, window)));
    }

    @GetMapping(ORG + "/usage")
    @ErrorAnswers(ApiError.DATE_INVALID)
    OrganizationUsageResponse organizationUsage(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                                     @RequestParam(required = false) String from,
                                                     @RequestParam(required = false) String to) {
        Organization o = authorizer.require(caller, org, Action.READ);
        MonthlyWindow window = UsageService.window(from, to);
        Map<String, UsageTotals> perDb = usage.perDatabase(o, window);
        List<Database> live = databases.all(o);
        List<DatabaseUsage> dbs = new ArrayList<>();
        UsageTotals sum = UsageTotals.ZERO;
        for (Database d : live) {
            UsageTotals t = perDb.getOrDefault(d.id(), UsageTotals.ZERO);
            sum = sum.plus(t);
            dbs.add(databaseUsage(d, t));
        }
        // deleted databases' usage still counts for the organization
        UsageTotals all = usage.organization(o, window);
        var groupList = groups.list(o);
        LinkedHashSet<String> locations = new LinkedHashSet<>();
        groupList.forEach(g -> locations.addAll(GroupView.locations(g)));
        return new OrganizationUsageResponse(new OrganizationUsage(o.id(), new OrganizationTotals(all.rowsRead(),
                all.rowsWritten(), sum.storageBytes(), all.bytesSynced(), live.size(), locations.size(),
                groupList.size()), dbs));
    }

    /** Spec shape: {@code {"top_queries": [...]}} over the last 24 hours. */
    @GetMapping(ORG + "/databases/{db}/stats")
    @ErrorAnswers(ApiError.DATABASE_NOT_FOUND)
    StatsResponse stats(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                          @PathVariable String db) {
        Database d = databases.get(authorizer.require(caller, org, Action.READ), db);
        return new StatsResponse(usage.topQueries(d, Instant.now().minus(1, ChronoUnit.DAYS)).stream()
                .map(TopQueryView::of).toList());
    }

    /** CLI {@code db inspect --queries}: a bare array; {@code from} defaults to 24 hours ago. */
    @GetMapping(ORG + "/databases/{db}/usage/queries")
    @ErrorAnswers({ApiError.DATE_INVALID, ApiError.DATABASE_NOT_FOUND})
    List<TopQueryView> queries(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                               @RequestParam(required = false) String from) {
        Database d = databases.get(authorizer.require(caller, org, Action.READ), db);
        Instant since = from == null || from.isBlank() ? Instant.now().minus(1, ChronoUnit.DAYS)
                : UsageService.window(from, "9999-12-31T00:00:00Z").from();
        return usage.topQueries(d, since).stream().map(TopQueryView::of).toList();
    }

    @GetMapping("/v1/plans")
    PlansResponse plans() {
        return new PlansResponse(List.of(PlanView.of(Plan.STARTER)));
    }

    @GetMapping(ORG + "/plans")
    PlansResponse organizationPlans(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        Plan plan = organizations.plan(authorizer.require(caller, org, Action.READ));
        return new PlansResponse(plan.equals(Plan.STARTER) ? List.of(PlanView.of(Plan.STARTER))
                : List.of(PlanView.of(Plan.STARTER), PlanView.of(plan)));
    }

    @GetMapping(ORG + "/subscription")
    SubscriptionResponse subscription(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        Organization o = authorizer.require(caller, org, Action.READ);
        String plan = organizations.plan(o).id();
        return new SubscriptionResponse(new Subscription(plan, o.overages(), plan, "monthly"));
    }

    /**
     * Invoices computed with billing-usage's {@link Invoicing} and {@link PriceList#STARTER} for every month since the
     * organization was created ({@code type}: all (default), upcoming = the current month, issued = past months);
     * months with nothing to charge have no invoice, so a starter organization answers {@code {"invoices": []}}.
     */
    @GetMapping(ORG + "/invoices")
    InvoicesResponse invoices(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                        @RequestParam(required = false, defaultValue = "all") String type) {
        Organization o = authorizer.require(caller, org, Action.READ);
        YearMonth current = YearMonth.now(ZoneOffset.UTC);
        YearMonth first = YearMonth.from(Instant.ofEpochMilli(o.createdAt()).atZone(ZoneOffset.UTC));
        if (first.isBefore(current.minusMonths(24))) {
            first = current.minusMonths(24);
        }
        List<Invoice> out = new ArrayList<>();
        for (Map.Entry<YearMonth, UsageTotals> month : usage.monthly(o, first)) {
            boolean upcoming = month.getKey().equals(current);
            if (("upcoming".equals(type) && !upcoming) || ("issued".equals(type) && upcoming)) {
                continue;
            }
            List<InvoiceLine> lines = Invoicing.lines(PriceList.STARTER, month.getValue());
            if (lines.isEmpty()) {
                continue;
            }
            long cents = Invoicing.totalCents(lines);
            out.add(new Invoice(o.slug() + "-" + month.getKey(), String.format("%d.%02d", cents / 100, cents % 100),
                    month.getKey().plusMonths(1).atDay(1).toString(), null, null, "",
                    upcoming ? "upcoming" : "issued", "", lines));
        }
        return new InvoicesResponse(out);
    }
}
