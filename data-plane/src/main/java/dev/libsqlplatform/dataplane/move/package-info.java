/**
 * Moving a database between workers (a drain, driven by the control plane): the source's side (its snapshot and
 * frames served from the frame log, the write fence in {@link dev.libsqlplatform.dataplane.move.Fences}) and the
 * target's side ({@link dev.libsqlplatform.dataplane.move.Importer}: pull, apply, install). See docs/internals.md,
 * "Draining a worker".
 */
package dev.libsqlplatform.dataplane.move;
