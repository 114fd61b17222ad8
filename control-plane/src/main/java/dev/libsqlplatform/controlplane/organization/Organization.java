package dev.libsqlplatform.controlplane.organization;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * An organization (tenant). {@code type} is always {@code team} (the CLI mishandles {@code personal}).
 * {@code blockedReads}/{@code blockedWrites}/{@code blockReason}: the quota enforcer's decision for the current month
 * (reference §3.4), pushed to every database of the organization.
 */
@Table("organizations")
public record Organization(@Id String id, String slug, String name, String type, String planId,
                           long lockVersion, long createdAt, boolean overages, boolean requireMfa,
                           Long deletedAt, boolean blockedReads, boolean blockedWrites, String blockReason) {
}
