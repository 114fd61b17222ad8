package dev.libsqlplatform.controlplane.member;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** An invitation to an organization; accepted by the invited user ({@code acceptedAt}). */
@Table("invites")
public record Invite(@Id long id, String organizationId, String email, String username, String role, String invitedBy,
                     long createdAt, Long acceptedAt) {
}
