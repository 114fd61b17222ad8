package dev.libsqlplatform.controlplane.organization;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** An organization (tenant). {@code type} is always {@code team} (the CLI mishandles {@code personal}). */
@Table("organizations")
public record Organization(@Id String id, String slug, String name, String type, String planId,
                           long lockVersion, long createdAt, boolean overages, boolean requireMfa,
                           Long deletedAt) {
}
