/**
 * Database and group tokens (docs/internals.md "Database tokens", "Group tokens", "Fine-grained permissions"): the
 * claims ({@link dev.libsqlplatform.contract.token.TokenClaims}, sqld/Turso compatible) and the compact JWS codec
 * ({@link dev.libsqlplatform.contract.token.Jws}): the control plane signs with it, workers decode and verify with it.
 */
package dev.libsqlplatform.contract.token;
