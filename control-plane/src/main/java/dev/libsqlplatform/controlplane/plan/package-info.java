/**
 * Plans as data: the catalog of plans (quotas, base price, overage prices) read from {@code plans.json} or the
 * operator's {@code platform.quotas.plans-file}. Depends only on the foundation packages, so organizations (which
 * resolve their effective plan here), databases, usage and billing may all use it.
 */
package dev.libsqlplatform.controlplane.plan;
