package dev.libsqlplatform.e2e;

import java.util.Map;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/** The zero-setup default: control-plane metadata in its embedded SQLite file. */
class EmbeddedSqlitePlatformIT extends AbstractPlatformIT {

    /**
     * libSQL's own SQL (vector functions and index) compared with the real libSQL engine, and LangChain's
     * LibSQLVectorStore through the official client. Worker-side features: run with one control-plane variant.
     */
    @Test
    @Order(1)
    void libsqlSqlMatchesTheLibsqlEngine() throws Exception {
        NodeTests.run(platform, "libsql-sql.test.mjs", Map.of());
    }

    @Test
    @Order(1)
    void langChainLibsqlVectorStore() throws Exception {
        NodeTests.run(platform, "langchain-libsql.test.mjs", Map.of());
    }

    @Override
    protected String datasourceUrl() {
        return null;
    }

    @Override
    protected String variant() {
        return "sqlite";
    }
}
