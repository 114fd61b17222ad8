package dev.libsqlplatform.contract.internalapi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The route answer: written by the control plane's mapper, read by the worker's (see {@link PutDatabaseContractTest}). */
class DatabaseRouteContractTest {

    @Test
    void everyFieldTheControlPlaneWritesIsReadByTheWorker() throws Exception {
        DatabaseRoute sent = new DatabaseRoute("db-1", "shop-acme", "w-2", "http://10.0.0.2:8081", DatabaseRoute.UP);
        PutDatabaseContractTest.assertNoComponentIsEmpty(sent);
        String wire = PutDatabaseContractTest.CONTROL_PLANE.writeValueAsString(sent);
        assertThat(PutDatabaseContractTest.WORKER.readValue(wire, DatabaseRoute.class)).isEqualTo(sent);
        assertThat(ContractJson.parseStrictly(wire, DatabaseRoute.class)).isEqualTo(sent);
        assertThat(sent.reachable()).isTrue();
    }

    @Test
    void aDownOrUnplacedWorkerIsNotReachable() {
        assertThat(new DatabaseRoute("db-1", "shop-acme", "w-2", "http://10.0.0.2:8081", DatabaseRoute.DOWN).reachable())
                .isFalse();
        assertThat(new DatabaseRoute("db-1", "shop-acme", null, null, null).reachable()).isFalse();
    }
}
