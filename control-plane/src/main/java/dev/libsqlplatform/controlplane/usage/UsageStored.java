package dev.libsqlplatform.controlplane.usage;

import java.util.Set;

/** A usage report was stored (published in its transaction): the quota enforcer recomputes these organizations. */
public record UsageStored(Set<String> organizationIds) {
}
