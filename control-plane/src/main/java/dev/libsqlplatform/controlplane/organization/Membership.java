package dev.libsqlplatform.controlplane.organization;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** A user's role in an organization: owner, admin, member or viewer. Unique per (organization, user). */
@Table("memberships")
public record Membership(@Id String id, String organizationId, String userId, String role, long createdAt) {
}
