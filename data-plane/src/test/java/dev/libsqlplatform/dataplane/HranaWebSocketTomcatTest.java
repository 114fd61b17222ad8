package dev.libsqlplatform.dataplane;

import org.junit.jupiter.api.BeforeAll;

/** {@link HranaWebSocketTest} with Tomcat alone on the port ({@code http.front=tomcat}): its container's endpoint. */
class HranaWebSocketTomcatTest extends HranaWebSocketTest {
    @BeforeAll
    static void start() throws Exception {
        startWith("platform.worker.http.front=tomcat");
    }

    @Override
    boolean servedByFront() {
        return false;
    }
}
