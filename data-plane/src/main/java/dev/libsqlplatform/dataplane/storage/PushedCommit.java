package dev.libsqlplatform.dataplane.storage;

import java.util.List;

/**
 * One transaction an offline replica committed locally and pushed: its pages in the order its WAL holds them, and
 * the database size (pages) after it, from its commit frame.
 */
public record PushedCommit(List<Page> pages, int sizeAfter) {
    /** One 4096-byte page image. */
    public record Page(int pageNo, byte[] data) {
    }
}
