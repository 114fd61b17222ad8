package dev.libsqlplatform.controlplane.group;

import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/** A group of databases sharing a primary location. Soft-deleted ({@code deletedAt}); live names unique per org. */
@Table("db_groups")
public record DbGroup(@Id String id, String organizationId, String name, String primaryLocation,
                      boolean deleteProtection, long createdAt, Long deletedAt, String extraLocations) {
}
