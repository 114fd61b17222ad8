/**
 * Bodies of the internal API (docs/internals.md "Internal API"): control plane → worker
 * ({@link dev.libsqlplatform.contract.internalapi.PutDatabase}) and worker → control plane
 * ({@link dev.libsqlplatform.contract.internalapi.WorkerHeartbeat}). Both apps bind these very records with their
 * own Jackson mapper, so a field exists on both sides or on neither; the contract tests check that each side
 * also reads and writes every one of them.
 */
package dev.libsqlplatform.contract.internalapi;
