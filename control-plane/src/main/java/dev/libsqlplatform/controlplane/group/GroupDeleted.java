package dev.libsqlplatform.controlplane.group;

/** Published inside the group-delete transaction: listeners delete the group's databases in the same transaction. */
public record GroupDeleted(String groupId, String organizationId) {
}
