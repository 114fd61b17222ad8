package dev.libsqlplatform.controlplane.organization;

/** The organization's plan, overages setting or quota overrides changed: every cap and block must be recomputed. */
public record OrganizationQuotaChanged(String organizationId) {
}
