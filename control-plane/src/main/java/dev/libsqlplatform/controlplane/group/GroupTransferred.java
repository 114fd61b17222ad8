package dev.libsqlplatform.controlplane.group;

/**
 * Published inside the group-transfer transaction, after the group row moved: listeners move the group's
 * databases (or throw, which rolls the whole transfer back).
 */
public record GroupTransferred(String groupId, String fromOrganizationId, String toOrganizationId) {
}
