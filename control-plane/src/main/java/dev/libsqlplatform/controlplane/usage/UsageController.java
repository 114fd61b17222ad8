package dev.libsqlplatform.controlplane.usage;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.billing.InvoiceLine;
import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.group.GroupService;
import dev.libsqlplatform.controlplane.group.GroupView;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Usage, top queries and invoices (reference §4.2, §4.4, §7); plans and subscriptions: quota.QuotaController. */
@RestController
class UsageController {

    private static final String ORG = "/v1/organizations/{org}";

    private final Authorizer authorizer;
    private final UsageService usage;
    private final DatabaseService databases;
    private final GroupService groups;
    private final InvoiceService invoiceService;

    UsageController(Authorizer authorizer, UsageService usage, DatabaseService databases, GroupService groups,
                    InvoiceService invoiceService) {
        this.authorizer = authorizer;
        this.usage = usage;
        this.databases = databases;
        this.groups = groups;
        this.invoiceService = invoiceService;
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

    /** One priced line: {@code amount_cents} = quantity × unit_cents. */
    record InvoiceLineView(String description, long quantity, @JsonProperty("unit_cents") long unitCents,
                           @JsonProperty("amount_cents") long amountCents) {
        static InvoiceLineView of(InvoiceLine l) {
            return new InvoiceLineView(l.description(), l.quantity(), l.unitCents(), l.amountCents());
        }
    }

    /** Reference §3.6 Invoice, plus the month ({@code period}), its plan, usage and priced lines. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Invoice(@JsonProperty("invoice_number") String invoiceNumber, @JsonProperty("amount_due") String amountDue,
                   @JsonProperty("due_date") String dueDate, @JsonProperty("paid_at") String paidAt,
                   @JsonProperty("payment_failed_at") String paymentFailedAt,
                   @JsonProperty("invoice_pdf") String invoicePdf, String status,
                   @JsonProperty("hosted_invoice_url") String hostedInvoiceUrl, String period, String plan,
                   boolean overages, UsageObject usage, List<InvoiceLineView> lines) {
        static Invoice of(InvoiceService.Invoice i) {
            return new Invoice(i.number(), i.amountDue(), i.dueDate(), null, null, "", i.status(), "",
                    i.month().toString(), i.planId(), i.overagesBilled(), UsageObject.of(i.usage()),
                    i.lines().stream().map(InvoiceLineView::of).toList());
        }
    }

    // Answer bodies: one record per shape so the OpenAPI document names every field.

    record DatabaseUsageResponse(DatabaseUsage database) {
    }

    record OrganizationUsageResponse(OrganizationUsage organization) {
    }

    record StatsResponse(@JsonProperty("top_queries") List<TopQueryView> topQueries) {
    }

    record InvoicesResponse(List<Invoice> invoices) {
    }

    record InvoiceResponse(Invoice invoice) {
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
        MonthlyWindow window = usage.window(from, to);
        Database d = databases.get(o, db);
        return new DatabaseUsageResponse(databaseUsage(d, usage.database(d, window)));
    }

    @GetMapping(ORG + "/usage")
    @ErrorAnswers(ApiError.DATE_INVALID)
    OrganizationUsageResponse organizationUsage(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                                     @RequestParam(required = false) String from,
                                                     @RequestParam(required = false) String to) {
        Organization o = authorizer.require(caller, org, Action.READ);
        MonthlyWindow window = usage.window(from, to);
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
        return new StatsResponse(usage.topQueries(d, usage.now().minus(1, ChronoUnit.DAYS)).stream()
                .map(TopQueryView::of).toList());
    }

    /** CLI {@code db inspect --queries}: a bare array; {@code from} defaults to 24 hours ago. */
    @GetMapping(ORG + "/databases/{db}/usage/queries")
    @ErrorAnswers({ApiError.DATE_INVALID, ApiError.DATABASE_NOT_FOUND})
    List<TopQueryView> queries(@AuthenticationPrincipal Caller caller, @PathVariable String org, @PathVariable String db,
                               @RequestParam(required = false) String from) {
        Database d = databases.get(authorizer.require(caller, org, Action.READ), db);
        Instant since = from == null || from.isBlank() ? usage.now().minus(1, ChronoUnit.DAYS)
                : usage.window(from, "9999-12-31T00:00:00Z").from();
        return usage.topQueries(d, since).stream().map(TopQueryView::of).toList();
    }

    /**
     * {@code type}: all (default), upcoming (the current month), issued (past months). Computed by
     * {@link InvoiceService}; months with nothing to charge have no invoice, so a starter organization answers
     * {@code {"invoices": []}}.
     */
    @GetMapping(ORG + "/invoices")
    @ErrorAnswers(ApiError.BAD_REQUEST)
    InvoicesResponse invoices(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                              @RequestParam(required = false, defaultValue = "all") String type) {
        if (!List.of("all", "upcoming", "issued").contains(type)) {
            throw ApiError.BAD_REQUEST.exception("invalid type '" + type + "': use all, upcoming or issued");
        }
        return new InvoicesResponse(invoiceService.invoices(authorizer.require(caller, org, Action.READ), type).stream()
                .map(Invoice::of).toList());
    }

    /** Our extension: the current month's invoice as it stands now, also when it is empty. */
    @GetMapping(ORG + "/invoices/upcoming")
    InvoiceResponse upcomingInvoice(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return new InvoiceResponse(Invoice.of(invoiceService.preview(authorizer.require(caller, org, Action.READ))));
    }
}
