/**
 * What the control plane and the data-plane workers must agree on, written once: the internal API's bodies
 * ({@link dev.libsqlplatform.contract.internalapi}), database-token claims and their Ed25519 JWS codec
 * ({@link dev.libsqlplatform.contract.token}), the service-secret file ({@link dev.libsqlplatform.contract.secret})
 * and the {@code <db>-<org>} hostname label ({@link dev.libsqlplatform.contract.hostname}). Plain Java (Jackson 3
 * only, which both apps use): no Spring, so neither app's wiring leaks into the other. See docs/internals.md.
 */
package dev.libsqlplatform.contract;
