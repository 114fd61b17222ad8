package dev.libsqlplatform.dataplane.hrana;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.sqlite.SQLiteErrorCode;

class HranaErrorTest {

    /**
     * Statement errors used to carry sqlite-jdbc's own name of the primary result code; the enum must give the very
     * same code for every possible primary code (0..255), unknown ones included (SQLITE_ERROR).
     */
    @Test
    void sqliteCodesAreNamedAsSqliteJdbcNamesThem() {
        for (int primary = 0; primary < 256; primary++) {
            SQLiteErrorCode c = SQLiteErrorCode.getErrorCode(primary);
            String expected = c == null || c == SQLiteErrorCode.UNKNOWN_ERROR ? "SQLITE_ERROR" : c.name();
            assertThat(HranaError.ofSqlitePrimary(primary).name()).as("primary code %d", primary).isEqualTo(expected);
        }
    }
}
