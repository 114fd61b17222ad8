package dev.libsqlplatform.controlplane.quota;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Authorizer;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.plan.CatalogPlan;
import dev.libsqlplatform.controlplane.security.Caller;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.controlplane.web.ErrorAnswers;
import dev.libsqlplatform.quotas.Plan;
import dev.libsqlplatform.quotas.QuotaOverrides;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Plans (reference §4.2, §7.1), the subscription, and our quota routes (README "Plans, quotas and billing"). */
@RestController
class QuotaController {

    private static final String ORG = "/v1/organizations/{org}";

    private final Authorizer authorizer;
    private final QuotaApi quotas;

    QuotaController(Authorizer authorizer, QuotaApi quotas) {
        this.authorizer = authorizer;
        this.quotas = quotas;
    }

    /** {@code PlanQuotas}: null is never sent; an unlimited quota is {@link Long#MAX_VALUE}. */
    record Quotas(long rowsRead, long rowsWritten, long databases, long locations, long storage, long groups,
                  long bytesSynced) {
        static Quotas of(Plan p) {
            return new Quotas(p.rowsRead(), p.rowsWritten(), p.databases(), p.locations(), p.storageBytes(), p.groups(),
                    p.bytesSynced());
        }
    }

    record Price(String value, String timeline) {
    }

    /** One overage price: {@code cents} per started {@code unit} (rows or bytes) beyond the quota. */
    record OveragePriceView(long unit, long cents) {
    }

    /** Reference {@code OrganizationPlan}, plus {@code overagesAvailable} and the {@code overage} price list. */
    record PlanView(String name, String price, List<Price> prices, Quotas quotas, boolean overagesAvailable,
                    Map<String, OveragePriceView> overage) {
        static PlanView of(CatalogPlan p) {
            Map<String, OveragePriceView> overage = new LinkedHashMap<>();
            p.overage().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> overage.put(
                    QuotaApi.meterKey(e.getKey()), new OveragePriceView(e.getValue().unit(), e.getValue().unitCents())));
            return new PlanView(p.id(), p.priceDollars(), List.of(new Price(p.priceDollars(), "monthly")),
                    Quotas.of(p.limits()), p.overagesAvailable(), overage);
        }
    }

    record PlansResponse(List<PlanView> plans) {
    }

    record Subscription(String name, boolean overages, String plan, String timeline) {
    }

    record SubscriptionResponse(Subscription subscription) {
    }

    /** Turso's {@code POST …/subscription} body: a plan id, optionally {@code overages} and {@code timeline}. */
    record SubscriptionRequest(String plan, Boolean overages, String timeline) {
    }

    /** Overrides as set: null = the plan's value. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Overrides(Long rowsRead, Long rowsWritten, Long databases, Long locations, Long storage, Long groups,
                     Long bytesSynced) {
        static Overrides of(QuotaOverrides o) {
            return new Overrides(o.rowsRead(), o.rowsWritten(), o.databases(), o.locations(), o.storageBytes(),
                    o.groups(), o.bytesSynced());
        }
    }

    record MonthUsage(@JsonProperty("rows_read") long rowsRead, @JsonProperty("rows_written") long rowsWritten,
                      @JsonProperty("storage_bytes") long storageBytes, @JsonProperty("bytes_synced") long bytesSynced) {
    }

    /**
     * One database's share: its last reported storage, the cap pushed to its worker ({@code max_bytes}; the
     * organization's remaining storage or its own size_limit), and whether the worker acknowledged the latest push.
     */
    record DatabaseQuota(String name, @JsonProperty("storage_bytes") long storageBytes,
                         @JsonProperty("max_bytes") long maxBytes, @JsonProperty("block_reads") boolean blockReads,
                         @JsonProperty("block_writes") boolean blockWrites, boolean pushed) {
    }

    /** What limits the organization now and how close it is. */
    record QuotaStatus(String plan, boolean overages, @JsonProperty("overages_billed") boolean overagesBilled,
                       Quotas quotas, Overrides overrides, MonthUsage usage,
                       @JsonProperty("blocked_reads") boolean blockedReads,
                       @JsonProperty("blocked_writes") boolean blockedWrites,
                       @JsonProperty("block_reason") String blockReason,
                       @JsonProperty("resets_on") String resetsOn, List<DatabaseQuota> databases) {
    }

    record QuotaStatusResponse(QuotaStatus quotas) {
    }

    @GetMapping("/v1/plans")
    PlansResponse plans() {
        return new PlansResponse(quotas.plans().stream().map(PlanView::of).toList());
    }

    @GetMapping(ORG + "/plans")
    PlansResponse organizationPlans(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        authorizer.require(caller, org, Action.READ);
        return plans();
    }

    /** The CLI strips {@code _overages} from {@code plan} when overages are on (reference §4.2). */
    @GetMapping(ORG + "/subscription")
    SubscriptionResponse subscription(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        Organization o = authorizer.require(caller, org, Action.READ);
        return new SubscriptionResponse(new Subscription(o.planId(), o.overages(), o.planId(), "monthly"));
    }

    /**
     * Changes the organization's plan: the platform administrator only (403 {@code forbidden} for members), 400
     * {@code plan_not_found} for an id not in the catalog, 402 {@code overages_not_available} for
     * {@code overages: true} on a plan without overage prices. Every cap and block is recomputed and pushed.
     */
    @PostMapping(ORG + "/subscription")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.PLAN_NOT_FOUND, ApiError.OVERAGES_NOT_AVAILABLE, ApiError.BAD_REQUEST})
    SubscriptionResponse changeSubscription(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                            @RequestBody(required = false) SubscriptionRequest body) {
        Organization o = authorizer.requirePlatformAdministrator(caller, org, "changing an organization's plan");
        Organization changed = quotas.changePlan(caller, o, body);
        return new SubscriptionResponse(new Subscription(changed.planId(), changed.overages(), changed.planId(),
                "monthly"));
    }

    @GetMapping(ORG + "/quotas")
    QuotaStatusResponse quotaStatus(@AuthenticationPrincipal Caller caller, @PathVariable String org) {
        return new QuotaStatusResponse(quotas.status(authorizer.require(caller, org, Action.READ)));
    }

    /**
     * Per-organization overrides of the plan's quotas (keys of {@code PlanQuotas}; absent = unchanged, null = back
     * to the plan's value, else an integer ≥ 0): the platform administrator only. Caps and blocks follow at once.
     */
    @PatchMapping(ORG + "/quotas")
    @ErrorAnswers({ApiError.FORBIDDEN, ApiError.BAD_REQUEST})
    QuotaStatusResponse setOverrides(@AuthenticationPrincipal Caller caller, @PathVariable String org,
                                     @RequestBody(required = false) Map<String, Object> body) {
        Organization o = authorizer.requirePlatformAdministrator(caller, org, "changing an organization's quotas");
        return new QuotaStatusResponse(quotas.setOverrides(o, body));
    }
}
