package dev.libsqlplatform.controlplane.dashboard;

import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.member.Invite;
import dev.libsqlplatform.controlplane.member.MemberService;
import dev.libsqlplatform.controlplane.organization.Action;
import dev.libsqlplatform.controlplane.organization.Organization;
import dev.libsqlplatform.controlplane.organization.OrganizationService;
import dev.libsqlplatform.controlplane.usage.UsageService;
import dev.libsqlplatform.quotas.BlockDecision;
import dev.libsqlplatform.quotas.Plan;
import dev.libsqlplatform.quotas.QuotaPolicy;
import dev.libsqlplatform.quotas.Usage;
import org.springframework.stereotype.Service;

/** The organization overview: quota bars, this month's daily usage, the block state, members and invites. */
@Service
class Overview {

    private final OrganizationService organizations;
    private final DatabaseService databases;
    private final UsageService usage;
    private final MemberService members;

    Overview(OrganizationService organizations, DatabaseService databases, UsageService usage, MemberService members) {
        this.organizations = organizations;
        this.databases = databases;
        this.usage = usage;
        this.members = members;
    }

    /** One quota bar: {@code used} of {@code limit} ({@code unlimited}: the plan sets none). */
    record Quota(String label, long used, long limit, String usedText, String limitText) {
        public boolean unlimited() {
            return limit == Long.MAX_VALUE;
        }

        /** 0..100, for the bar; 100 when the limit is reached. */
        public long percent() {
            return unlimited() || limit <= 0 ? 0 : Math.min(100, Math.round(100.0 * used / limit));
        }
    }

    /** One day of the chart; {@code height*} are 0..100 relative to the busiest day. */
    record Day(LocalDate date, long rowsRead, long rowsWritten, int heightRead, int heightWritten) {
    }

    record Page(Plan plan, List<Quota> quotas, BlockDecision block, List<Day> days,
                List<MemberService.Member> members, List<Invite> invites) {
    }

    Page page(Shell shell) {
        Organization org = shell.org();
        Plan plan = organizations.plan(org);
        UsageTotals month = usage.organization(org, MonthlyWindow.of(YearMonth.now(ZoneOffset.UTC)));
        long live = databases.all(org).size();
        List<Quota> quotas = List.of(
                new Quota("Databases", live, plan.databases(), Long.toString(live), count(plan.databases())),
                new Quota("Storage", month.storageBytes(), plan.storageBytes(), Format.bytes(month.storageBytes()),
                        plan.storageBytes() == Long.MAX_VALUE ? "unlimited" : Format.bytes(plan.storageBytes())),
                new Quota("Rows read this month", month.rowsRead(), plan.rowsRead(), Format.count(month.rowsRead()),
                        count(plan.rowsRead())),
                new Quota("Rows written this month", month.rowsWritten(), plan.rowsWritten(),
                        Format.count(month.rowsWritten()), count(plan.rowsWritten())));
        BlockDecision block = QuotaPolicy.blocks(plan, new Usage(month.storageBytes(), month.rowsRead(),
                month.rowsWritten(), month.bytesSynced()));
        List<Invite> invites = shell.may(Action.INVITES_READ) ? members.invites(org) : List.of();
        return new Page(plan, quotas, block, days(org), members.list(org), invites);
    }

    private static String count(long limit) {
        return limit == Long.MAX_VALUE ? "unlimited" : Format.count(limit);
    }

    /** Each day of the current month so far: one usage query per day, at most 31. */
    private List<Day> days(Organization org) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        List<UsageTotals> totals = new ArrayList<>();
        for (LocalDate d = today.withDayOfMonth(1); !d.isAfter(today); d = d.plusDays(1)) {
            Instant from = d.atStartOfDay().toInstant(ZoneOffset.UTC);
            totals.add(usage.organization(org, new MonthlyWindow(from, from.plusSeconds(86_400))));
        }
        long max = Math.max(1, totals.stream().mapToLong(t -> Math.max(t.rowsRead(), t.rowsWritten())).max().orElse(1));
        List<Day> out = new ArrayList<>();
        for (int i = 0; i < totals.size(); i++) {
            UsageTotals t = totals.get(i);
            out.add(new Day(today.withDayOfMonth(i + 1), t.rowsRead(), t.rowsWritten(),
                    (int) (100 * t.rowsRead() / max), (int) (100 * t.rowsWritten() / max)));
        }
        return out;
    }
}
