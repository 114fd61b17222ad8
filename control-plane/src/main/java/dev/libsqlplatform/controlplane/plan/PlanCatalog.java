package dev.libsqlplatform.controlplane.plan;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.libsqlplatform.billing.Meter;
import dev.libsqlplatform.billing.PriceList;
import dev.libsqlplatform.controlplane.config.PlatformProperties;
import dev.libsqlplatform.controlplane.web.ApiError;
import dev.libsqlplatform.quotas.Plan;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plans an organization can be on, read once at start from {@code platform.quotas.plans-file} or the built-in
 * {@code plans.json}. A catalog without {@code starter} (new organizations start on it) or without the configured
 * {@code platform.admin-plan}, or with a malformed entry, stops the start: an operator never runs on limits other
 * than the ones they wrote.
 */
@Component
public class PlanCatalog {

    public static final String STARTER = Plan.STARTER.id();

    private static final Map<String, Meter> METERS = Map.of("rowsRead", Meter.ROWS_READ, "rowsWritten",
            Meter.ROWS_WRITTEN, "storage", Meter.STORAGE, "bytesSynced", Meter.BYTES_SYNCED);

    private final Map<String, CatalogPlan> plans;

    PlanCatalog(QuotaProperties quotas, PlatformProperties platform, JsonMapper json) {
        String source = quotas.plansFile() != null ? quotas.plansFile().toString() : "classpath:plans.json";
        JsonNode root;
        try (InputStream in = quotas.plansFile() != null ? Files.newInputStream(quotas.plansFile())
                : PlanCatalog.class.getResourceAsStream("/plans.json")) {
            root = json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plan catalog " + source, e);
        }
        this.plans = parse(root, source);
        for (String required : List.of(STARTER, platform.adminPlan())) {
            if (!plans.containsKey(required)) {
                throw new IllegalArgumentException("plan catalog " + source + " has no plan '" + required + "'");
            }
        }
    }

    static Map<String, CatalogPlan> parse(JsonNode root, String source) {
        JsonNode list = root == null ? null : root.get("plans");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IllegalArgumentException("plan catalog " + source + ": expected {\"plans\": [ ... ]}");
        }
        Map<String, CatalogPlan> out = new LinkedHashMap<>();
        for (JsonNode p : list) {
            String id = p.path("id").asString("");
            if (!id.matches("^[a-z0-9][a-z0-9_-]{0,39}$")) {
                throw new IllegalArgumentException("plan catalog " + source + ": invalid plan id '" + id + "'");
            }
            JsonNode q = p.path("quotas");
            try {
                Plan limits = new Plan(id, quota(q, "databases"), quota(q, "storage"), quota(q, "rowsRead"),
                        quota(q, "rowsWritten"), quota(q, "bytesSynced"), quota(q, "groups"), quota(q, "locations"));
                Map<Meter, PriceList.OveragePrice> overage = new EnumMap<>(Meter.class);
                JsonNode o = p.path("overage");
                for (Map.Entry<String, Meter> m : METERS.entrySet()) {
                    JsonNode price = o.get(m.getKey());
                    if (price != null && !price.isNull()) {
                        overage.put(m.getValue(), new PriceList.OveragePrice(price.path("unit").asLong(0),
                                price.path("cents").asLong(-1)));
                    }
                }
                long cents = p.path("priceCents").asLong(-1);
                if (cents < 0) {
                    throw new IllegalArgumentException("priceCents must be a number ≥ 0");
                }
                if (out.put(id, new CatalogPlan(limits, cents, p.path("overagesAvailable").asBoolean(false),
                        overage)) != null) {
                    throw new IllegalArgumentException("listed twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("plan catalog " + source + ", plan '" + id + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** A quota: a number ≥ 0, or null / absent for unlimited. */
    private static long quota(JsonNode quotas, String name) {
        JsonNode v = quotas.get(name);
        if (v == null || v.isNull()) {
            return Long.MAX_VALUE;
        }
        if (!v.isIntegralNumber() || v.asLong() < 0) {
            throw new IllegalArgumentException("quota " + name + " must be an integer ≥ 0 or null (unlimited)");
        }
        return v.asLong();
    }

    /** Every plan, in catalog order. */
    public List<CatalogPlan> all() {
        return new ArrayList<>(plans.values());
    }

    public Optional<CatalogPlan> find(String id) {
        return Optional.ofNullable(id == null ? null : plans.get(id));
    }

    /** 400 {@code plan_not_found} naming the plans there are. */
    public CatalogPlan require(String id) {
        return find(id).orElseThrow(() -> ApiError.PLAN_NOT_FOUND.exception("unknown plan '" + id + "': plans are "
                + String.join(", ", plans.keySet())));
    }

    /**
     * The plan of an organization row. A plan removed from the catalog after organizations were put on it counts
     * as {@code starter} (the most restrictive built-in) rather than failing every request of the organization.
     */
    public CatalogPlan of(String planId) {
        return find(planId).orElseGet(() -> plans.get(STARTER));
    }
}
