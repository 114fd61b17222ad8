package dev.libsqlplatform.controlplane.dashboard;

import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.libsqlplatform.billing.InvoiceLine;
import dev.libsqlplatform.billing.Invoicing;
import dev.libsqlplatform.billing.MonthlyWindow;
import dev.libsqlplatform.billing.PriceList;
import dev.libsqlplatform.billing.UsageTotals;
import dev.libsqlplatform.controlplane.database.Database;
import dev.libsqlplatform.controlplane.database.DatabaseService;
import dev.libsqlplatform.controlplane.usage.UsageService;
import org.springframework.stereotype.Service;

/**
 * This month's usage per database and the invoice preview, from the same {@link UsageService} totals and
 * billing-usage {@link Invoicing} as {@code GET .../usage} and {@code GET .../invoices?type=upcoming}.
 */
@Service
class UsagePage {

    private final UsageService usage;
    private final DatabaseService databases;

    UsagePage(UsageService usage, DatabaseService databases) {
        this.usage = usage;
        this.databases = databases;
    }

    record Row(String database, String rowsRead, String rowsWritten, String storage) {
    }

    record Line(String description, String quantity, String unitPrice, String amount) {
    }

    record Page(String month, List<Row> rows, Row total, List<Line> invoice, String invoiceTotal) {
    }

    Page page(Shell shell) {
        YearMonth month = YearMonth.now(ZoneOffset.UTC);
        MonthlyWindow window = MonthlyWindow.of(month);
        Map<String, UsageTotals> perDb = usage.perDatabase(shell.org(), window);
        List<Row> rows = new ArrayList<>();
        for (Database d : databases.all(shell.org())) {
            rows.add(row(d.name(), perDb.getOrDefault(d.id(), UsageTotals.ZERO)));
        }
        // deleted databases' usage still counts for the organization, as in the API's organization usage
        UsageTotals all = usage.organization(shell.org(), window);
        List<InvoiceLine> lines = Invoicing.lines(PriceList.STARTER, all);
        List<Line> invoice = lines.stream().map(l -> new Line(l.description(), Format.count(l.quantity()),
                cents(l.unitCents()), cents(l.amountCents()))).toList();
        return new Page(month.toString(), rows, row("Organization (deleted databases included)", all), invoice,
                cents(Invoicing.totalCents(lines)));
    }

    private static Row row(String name, UsageTotals t) {
        return new Row(name, Format.count(t.rowsRead()), Format.count(t.rowsWritten()), Format.bytes(t.storageBytes()));
    }

    private static String cents(long cents) {
        return String.format("$%d.%02d", cents / 100, Math.abs(cents % 100));
    }
}
