package dev.libsqlplatform.controlplane.organization;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Reference §3.4, plus {@code block_reason} (empty when nothing is blocked). {@code type} is always {@code team}. */
public record OrganizationView(
        String id, String name, String slug, String type, boolean overages,
        @JsonProperty("require_mfa") boolean requireMfa,
        @JsonProperty("blocked_reads") boolean blockedReads,
        @JsonProperty("blocked_writes") boolean blockedWrites,
        @JsonProperty("plan_id") String planId,
        @JsonProperty("plan_timeline") String planTimeline,
        String platform,
        @JsonProperty("block_reason") String blockReason) {

    public static OrganizationView of(Organization o) {
        return new OrganizationView(o.id(), o.name(), o.slug(), "team", o.overages(), o.requireMfa(), o.blockedReads(),
                o.blockedWrites(), o.planId(), "monthly", "", o.blockReason() == null ? "" : o.blockReason());
    }
}
