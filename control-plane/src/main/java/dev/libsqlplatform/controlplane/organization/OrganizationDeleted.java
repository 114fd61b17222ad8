package dev.libsqlplatform.controlplane.organization;

/** Published inside the organization-delete transaction: listeners delete its groups (and so its databases). */
public record OrganizationDeleted(String organizationId, String slug) {
}
