package dev.libsqlplatform.contract.internalapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The move bodies: written by one side's mapper, read by the other's (see {@link PutDatabaseContractTest}). */
class MoveDatabaseContractTest {

    @Test
    void theImportBodyTheControlPlaneWritesIsReadByTheWorker() throws Exception {
        PutDatabase put = new PutDatabase("shop", "acme", "g-1", 9_000L,
                List.of(new PutDatabase.Key("k1", "AAAA", "database")), List.of("jti-1"), false, true, "blocked",
                List.of("10.0.0.0/8"), "quota");
        MoveDatabase.Import sent = new MoveDatabase.Import("http://10.0.0.1:8081", 42L, put);
        PutDatabaseContractTest.assertNoComponentIsEmpty(sent);
        String wire = PutDatabaseContractTest.CONTROL_PLANE.writeValueAsString(sent);
        assertThat(PutDatabaseContractTest.WORKER.readValue(wire, MoveDatabase.Import.class)).isEqualTo(sent);
        assertThat(ContractJson.parseStrictly(wire, MoveDatabase.Import.class)).isEqualTo(sent);
        // the first (bulk) copy has no frame to stop at: the field is left out, not sent as null
        String bulk = PutDatabaseContractTest.CONTROL_PLANE.writeValueAsString(
                new MoveDatabase.Import("http://10.0.0.1:8081", null, put));
        assertThat(bulk).doesNotContain("until");
    }

    @Test
    void theWorkersAnswersAreReadByTheControlPlane() throws Exception {
        for (Record sent : List.<Record>of(new MoveDatabase.Fenced("db-1", 7), new MoveDatabase.Imported("db-1", 7, "ready"))) {
            PutDatabaseContractTest.assertNoComponentIsEmpty(sent);
            String wire = PutDatabaseContractTest.WORKER.writeValueAsString(sent);
            assertThat(PutDatabaseContractTest.CONTROL_PLANE.readValue(wire, sent.getClass())).isEqualTo(sent);
            assertThat(ContractJson.parseStrictly(wire, sent.getClass())).isEqualTo(sent);
        }
    }
}
