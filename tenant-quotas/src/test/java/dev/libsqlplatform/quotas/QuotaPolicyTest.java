package dev.libsqlplatform.quotas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class QuotaPolicyTest {

    @Test
    void starterPlanAllowsExactly500Databases() {
        assertThat(QuotaPolicy.mayCreateDatabase(Plan.STARTER, 0).allowed()).isTrue();
        assertThat(QuotaPolicy.mayCreateDatabase(Plan.STARTER, 499).allowed()).isTrue();
        QuotaDecision denied = QuotaPolicy.mayCreateDatabase(Plan.STARTER, 500);
        assertThat(denied).isInstanceOfSatisfying(QuotaDecision.Denied.class, d -> {
            assertThat(d.code()).isEqualTo(QuotaPolicy.DATABASE_LIMIT);
            assertThat(d.message()).isEqualTo("maximum database count of 500 reached");
        });
    }

    @Test
    void starterPlanHasNineGigabytes() {
        assertThat(Plan.STARTER.storageBytes()).isEqualTo(9_000_000_000L);
        assertThat(Plan.byId("starter")).contains(Plan.STARTER);
        assertThat(Plan.byId("nope")).isEmpty();
    }

    @Test
    void groupQuota() {
        assertThat(QuotaPolicy.mayCreateGroup(Plan.STARTER, 0).allowed()).isTrue();
        assertThat(QuotaPolicy.mayCreateGroup(Plan.STARTER, 1).allowed()).isFalse();
    }

    @Test
    void storageOverLimitBlocksWritesButNotReads() {
        BlockDecision d = QuotaPolicy.blocks(Plan.STARTER, new Usage(9_000_000_000L, 0, 0, 0));
        assertThat(d.blockWrites()).isTrue();
        assertThat(d.blockReads()).isFalse();
        assertThat(d.reason()).contains("storage quota");
        assertThat(QuotaPolicy.blocks(Plan.STARTER, new Usage(8_999_999_999L, 0, 0, 0))).isEqualTo(BlockDecision.NONE);
    }

    @Test
    void rowQuotasBlockTheirKindOfAccess() {
        BlockDecision reads = QuotaPolicy.blocks(Plan.STARTER, new Usage(0, 1_000_000_000L, 0, 0));
        assertThat(reads.blockReads()).isTrue();
        assertThat(reads.blockWrites()).isFalse();
        BlockDecision writes = QuotaPolicy.blocks(Plan.STARTER, new Usage(0, 0, 25_000_000L, 0));
        assertThat(writes.blockWrites()).isTrue();
        assertThat(writes.blockReads()).isFalse();
    }

    @Test
    void databaseCapLeavesRoomOnlyForWhatTheOrganizationHasLeft() {
        Plan plan = new Plan("p", 10, 40_960, 1, 1, 1, 1, 1);
        // others use 20,480 bytes, this database 4,096: it may grow to 20,480 bytes
        assertThat(QuotaPolicy.databaseMaxBytes(plan, 24_576, 4_096, null, false, 4096, 4096)).isEqualTo(20_480);
        // rounded down to the granule, never below the database's own size (rounded up to a page)
        assertThat(QuotaPolicy.databaseMaxBytes(plan, 24_576, 4_096, null, false, 16_384, 4096)).isEqualTo(16_384);
        assertThat(QuotaPolicy.databaseMaxBytes(plan, 100_000, 5_000, null, false, 4096, 4096)).isEqualTo(8_192);
        // its own size_limit is the tighter bound
        assertThat(QuotaPolicy.databaseMaxBytes(plan, 0, 0, 8_192L, false, 4096, 4096)).isEqualTo(8_192);
        // overages billed, or no storage quota: only size_limit limits
        assertThat(QuotaPolicy.databaseMaxBytes(plan, 100_000, 0, null, true, 4096, 4096)).isEqualTo(Long.MAX_VALUE);
        assertThat(QuotaPolicy.databaseMaxBytes(Plan.UNLIMITED, 0, 0, 1_000_000L, false, 4096, 4096)).isEqualTo(1_000_000);
    }

    @Test
    void overagesBilledBlockNothingAndOverridesReplaceLimits() {
        Plan plan = new Plan("p", 10, 100, 10, 10, 1, 1, 1);
        assertThat(QuotaPolicy.blocks(plan, new Usage(1000, 1000, 1000, 0), true)).isEqualTo(BlockDecision.NONE);
        Plan more = plan.with(new QuotaOverrides(null, null, null, 5000L, null, null, null));
        assertThat(more.rowsWritten()).isEqualTo(5000);
        assertThat(more.rowsRead()).isEqualTo(10);
        assertThat(more.id()).isEqualTo("p");
        BlockDecision d = QuotaPolicy.blocks(more, new Usage(0, 0, 1000, 0));
        assertThat(d.blockWrites()).isFalse();
        assertThatThrownBy(() -> new QuotaOverrides(-1L, null, null, null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void negativeLimitsAreRejected() {
        assertThatThrownBy(() -> new Plan("x", -1, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Usage(-1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
