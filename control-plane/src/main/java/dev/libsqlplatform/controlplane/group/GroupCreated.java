package dev.libsqlplatform.controlplane.group;

/** Published inside the group-create transaction: listeners create what a group needs (its signing key) in it. */
public record GroupCreated(String groupId, String organizationId) {
}
