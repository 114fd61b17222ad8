/**
 * Quotas that hold: the {@link dev.libsqlplatform.controlplane.quota.QuotaEnforcer} turns each organization's
 * month-to-date usage, storage and effective plan into organization blocks and per-database caps pushed to the
 * workers; the plan, subscription and quota-override routes. Listens to organization, database and usage events;
 * nothing depends on it.
 */
package dev.libsqlplatform.controlplane.quota;
