package dev.libsqlplatform.dataplane.storage;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MaxPageCountTest {

    @Test
    void capIsInPagesAndFitsSqlitesPageNumbers() {
        assertThat(OpenDatabase.maxPageCount(0)).isZero();
        assertThat(OpenDatabase.maxPageCount(1)).isEqualTo(1);
        assertThat(OpenDatabase.maxPageCount(9_000_000_000L)).isEqualTo(9_000_000_000L / 4096);
        // an unlimited plan sends Long.MAX_VALUE: it must not wrap around SQLite's 32-bit page numbers
        assertThat(OpenDatabase.maxPageCount(Long.MAX_VALUE)).isEqualTo(4294967294L);
    }
}
