/**
 * Any worker answers for any database: a request for a database this worker does not host is forwarded to the
 * worker that does (asked of the control plane, {@code GET /internal/v1/routes}, and cached), so one load-balanced
 * address serves every database. A database whose worker is down answers {@code DATABASE_UNAVAILABLE} (503).
 * The hosting worker authenticates the request itself; forwarded requests carry the service secret, which alone
 * lets them name the client's address and Host, and are never forwarded again.
 */
package dev.libsqlplatform.dataplane.forwarding;
