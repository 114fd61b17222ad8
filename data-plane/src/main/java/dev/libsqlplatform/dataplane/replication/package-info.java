/**
 * Replication protocols (no transport): sqld's {@code wal_log.ReplicationLog} (Hello, BatchLogEntries, Snapshot)
 * served from storage's per-database {@code FrameLog}, with typed, never silent errors ({@link GrpcStatus}). The
 * gRPC-web framing and routes live in {@code http}.
 */
package dev.libsqlplatform.dataplane.replication;
