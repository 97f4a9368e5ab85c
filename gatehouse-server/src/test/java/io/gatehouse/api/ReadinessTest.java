package io.gatehouse.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.TestGatehouse;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /ready} answers 503 only for what is this node's own, draining for shutdown (SPEC §6);
 * a shared dependency that is down makes it 200 degraded instead (DegradedRedisTest, on Redis).
 */
class ReadinessTest {
    @Test
    void aNodeWithEverythingReachableIsReadyAndListsNothingUnreachable() {
        try (TestGatehouse node = new TestGatehouse().start()) {
            TestGatehouse.Reply r = node.get("/ready");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body().path("status").asText()).isEqualTo("ready");
            assertThat(r.body().path("unreachable").isArray()).isTrue();
            assertThat(r.body().path("unreachable").size()).isZero();
        }
    }

    @Test
    void aDrainingNodeAnswers503ServerShuttingDownSoThatTheLoadBalancerStopsSendingItConnections() {
        try (TestGatehouse node = new TestGatehouse().start()) {
            node.gatehouse().lifecycle().beginShutdown();

            TestGatehouse.Reply r = node.get("/ready");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.body().path("code").asText()).isEqualTo(RefusalCode.SERVER_SHUTTING_DOWN.name());
            assertThat(node.get("/health").status()).as("still alive").isEqualTo(200);
        }
    }
}
