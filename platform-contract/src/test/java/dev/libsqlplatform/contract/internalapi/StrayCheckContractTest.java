package dev.libsqlplatform.contract.internalapi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The stray check: asked by the worker's mapper, answered by the control plane's (see {@link PutDatabaseContractTest}). */
class StrayCheckContractTest {

    @Test
    void theWorkersQuestionAndTheControlPlanesAnswerRoundTrip() throws Exception {
        StrayCheck asked = new StrayCheck("w-1", List.of("db-1", "db-2"));
        PutDatabaseContractTest.assertNoComponentIsEmpty(asked);
        String wire = PutDatabaseContractTest.WORKER.writeValueAsString(asked);
        assertThat(PutDatabaseContractTest.CONTROL_PLANE.readValue(wire, StrayCheck.class)).isEqualTo(asked);
        assertThat(ContractJson.parseStrictly(wire, StrayCheck.class)).isEqualTo(asked);

        StrayCheck.Answer answer = new StrayCheck.Answer(List.of("db-2"));
        String back = PutDatabaseContractTest.CONTROL_PLANE.writeValueAsString(answer);
        assertThat(PutDatabaseContractTest.WORKER.readValue(back, StrayCheck.Answer.class)).isEqualTo(answer);
    }
}
