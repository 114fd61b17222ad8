package dev.libsqlplatform.billing;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Aggregates usage records over a window. Counters are summed; storage is the latest gauge reading
 * of each database inside the window (a database that was not reported in the window counts zero).
 */
public final class UsageLedger {

    private UsageLedger() {
    }

    /** Totals per database id, sorted by id so that reports are stable. */
    public static Map<String, UsageTotals> perDatabase(Collection<UsageRecord> records, MonthlyWindow window) {
        Map<String, long[]> acc = new HashMap<>();
        Map<String, UsageRecord> latestStorage = new HashMap<>();
        for (UsageRecord r : records) {
            if (!window.contains(r.at())) {
                continue;
            }
            long[] a = acc.computeIfAbsent(r.databaseId(), k -> new long[3]);
            a[0] = Math.addExact(a[0], r.rowsRead());
            a[1] = Math.addExact(a[1], r.rowsWritten());
            a[2] = Math.addExact(a[2], r.bytesSynced());
            latestStorage.merge(r.databaseId(), r, (old, cur) -> cur.at().isBefore(old.at()) ? old : cur);
        }
        Map<String, UsageTotals> out = new TreeMap<>();
        acc.forEach((db, a) -> out.put(db, new UsageTotals(a[0], a[1], latestStorage.get(db).storageBytes(), a[2])));
        return out;
    }

    /** Totals per organization id: the sum over its databases. */
    public static Map<String, UsageTotals> perOrganization(Collection<UsageRecord> records, MonthlyWindow window) {
        Map<String, String> orgOfDb = new HashMap<>();
        records.forEach(r -> orgOfDb.put(r.databaseId(), r.organizationId()));
        Map<String, UsageTotals> out = new TreeMap<>();
        perDatabase(records, window).forEach((db, t) -> out.merge(orgOfDb.get(db), t, UsageTotals::plus));
        return out;
    }
}
