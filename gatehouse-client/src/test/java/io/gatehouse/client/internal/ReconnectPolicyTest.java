package io.gatehouse.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Every close read by the refusal table's client action (docs/protocol.md, "Client actions"). */
class ReconnectPolicyTest {
    private final ReconnectPolicy policy =
            new ReconnectPolicy(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(3)));

    @Test
    void aCloseWithoutARefusalIsRetriedWithBackoff() {
        ReconnectPolicy.Decision d = policy.onClose(null);
        assertThat(d.action()).isEqualTo(ClientAction.RETRY);
        assertThat(d.delay()).isBetween(Duration.ZERO, Duration.ofMillis(500));
        assertThat(d.refusal()).isNull();
    }

    @Test
    void everyCodeFollowsItsClientAction() {
        for (RefusalCode code : RefusalCode.values()) {
            ReconnectPolicy fresh =
                    new ReconnectPolicy(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(3)));
            assertThat(fresh.onClose(code.refusal()).action()).as(code.name()).isEqualTo(code.clientAction());
        }
    }

    @Test
    void aRetryWaitsAtLeastTheServersRetryAfter() {
        ReconnectPolicy.Decision d =
                policy.onClose(RefusalCode.SERVER_SHUTTING_DOWN.refusal().retryAfter(7_312));
        assertThat(d.action()).isEqualTo(ClientAction.RETRY);
        assertThat(d.delay()).isGreaterThanOrEqualTo(Duration.ofMillis(7_312));
    }

    @Test
    void theSameRefreshRefusalTwiceInARowIsLogIn() {
        assertThat(policy.onClose(RefusalCode.TOKEN_EXPIRED.refusal()).action())
                .isEqualTo(ClientAction.REFRESH_THEN_RETRY);
        ReconnectPolicy.Decision again = policy.onClose(RefusalCode.TOKEN_EXPIRED.refusal());
        assertThat(again.action()).isEqualTo(ClientAction.LOG_IN);
        assertThat(again.refusal().code()).isEqualTo(RefusalCode.TOKEN_EXPIRED);
    }

    @Test
    void aSuccessfulConnectAllowsTheNextRefresh() {
        policy.onClose(RefusalCode.TOKEN_EXPIRED.refusal());
        policy.onConnected();
        assertThat(policy.onClose(RefusalCode.TOKEN_EXPIRED.refusal()).action())
                .isEqualTo(ClientAction.REFRESH_THEN_RETRY);
    }

    @Test
    void aDropBetweenARefreshAndItsRepeatDoesNotForgiveIt() {
        policy.onClose(RefusalCode.TOKEN_EXPIRED.refusal());
        assertThat(policy.onClose(null).action()).isEqualTo(ClientAction.RETRY);
        assertThat(policy.onClose(RefusalCode.TOKEN_EXPIRED.refusal()).action()).isEqualTo(ClientAction.LOG_IN);
    }

    @Test
    void logInAndStopAreNeverRetried() {
        assertThat(policy.onClose(RefusalCode.TOKEN_REVOKED.refusal()).action()).isEqualTo(ClientAction.LOG_IN);
        assertThat(policy.onClose(RefusalCode.CONNECTION_REPLACED.refusal()).action())
                .isEqualTo(ClientAction.STOP);
        assertThat(policy.onClose(RefusalCode.CONNECTION_REPLACED.refusal()).delay())
                .isZero();
    }
}
