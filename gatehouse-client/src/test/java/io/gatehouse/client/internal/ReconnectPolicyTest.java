package io.gatehouse.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
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
    void everyCodeOnAnEstablishedConnectionFollowsItsClientAction() {
        for (RefusalCode code : RefusalCode.values()) {
            ReconnectPolicy fresh =
                    new ReconnectPolicy(new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), new Random(3)));
            fresh.onConnected();
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
    void twoRefreshRefusalsOfDifferentCodesBeforeAConnectAreLogIn() {
        assertThat(policy.onClose(RefusalCode.CSRF_TOKEN_EXPIRED.refusal()).action())
                .isEqualTo(ClientAction.REFRESH_THEN_RETRY);
        ReconnectPolicy.Decision next = policy.onClose(RefusalCode.CSRF_VALIDATION_ERROR.refusal());
        assertThat(next.action()).isEqualTo(ClientAction.LOG_IN);
        assertThat(next.refusal().code()).isEqualTo(RefusalCode.CSRF_VALIDATION_ERROR);
    }

    @Test
    void connectionReplacedBeforeTheConnectSucceededIsRetriedButAfterItStops() {
        // duplicate_session_policy: reject while the server still holds this instance's old socket
        ReconnectPolicy.Decision early = policy.onClose(RefusalCode.CONNECTION_REPLACED.refusal());
        assertThat(early.action()).isEqualTo(ClientAction.RETRY);
        assertThat(early.delay()).isBetween(Duration.ZERO, Duration.ofMillis(500));
        policy.onConnected();
        assertThat(policy.onClose(RefusalCode.CONNECTION_REPLACED.refusal()).action())
                .isEqualTo(ClientAction.STOP);
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
        assertThat(policy.onClose(RefusalCode.DISCONNECTED.refusal()).action()).isEqualTo(ClientAction.STOP);
        assertThat(policy.onClose(RefusalCode.DISCONNECTED.refusal()).delay()).isZero();
        policy.onConnected(); // replaced after it was established (before: a retry, see below)
        assertThat(policy.onClose(RefusalCode.CONNECTION_REPLACED.refusal()).action())
                .isEqualTo(ClientAction.STOP);
    }

    private static final RandomGenerator HIGHEST = HighestDraw.INSTANCE;

    private final AtomicLong nanos = new AtomicLong();
    private final ReconnectPolicy clocked = new ReconnectPolicy(
            new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), HIGHEST), nanos::get, Duration.ofSeconds(5));

    @Test
    void aConnectionClosedRightAfterItWasEstablishedKeepsBackingOff() {
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            clocked.onConnected();
            nanos.addAndGet(Duration.ofMillis(300).toNanos()); // 4429 after a burst of resubscribes
            delays.add(
                    clocked.onClose(RefusalCode.RATE_LIMITED.refusal()).delay().toMillis());
            nanos.addAndGet(Duration.ofMillis(delays.get(i)).toNanos());
        }
        assertThat(delays).containsExactly(500L, 1000L, 2000L, 4000L, 8000L);
    }

    @Test
    void aConnectionThatLastedStartsTheBackoffOver() {
        clocked.onClose(null);
        clocked.onClose(null);
        assertThat(clocked.onClose(null).delay()).isEqualTo(Duration.ofMillis(2000));
        clocked.onConnected();
        nanos.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(clocked.onClose(null).delay()).isEqualTo(Duration.ofMillis(500));
        // A failed connect after it is no connection that lasted.
        nanos.addAndGet(Duration.ofSeconds(60).toNanos());
        assertThat(clocked.onClose(null).delay()).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void aRestartStartsTheBackoffOverAtOnce() {
        clocked.onClose(null);
        clocked.onClose(null);
        clocked.onRestart();
        assertThat(clocked.onClose(null).delay()).isEqualTo(Duration.ofMillis(500));
    }
}
