package dev.libsqlplatform.controlplane.organization;

/** Published inside the organization-create transaction: listeners create what every organization has. */
public record OrganizationCreated(String organizationId, String slug) {
}
