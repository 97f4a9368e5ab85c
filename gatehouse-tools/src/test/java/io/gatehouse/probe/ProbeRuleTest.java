package io.gatehouse.probe;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.probe.Outcome.Closed;
import io.gatehouse.probe.Outcome.Dropped;
import io.gatehouse.probe.Outcome.NoAnswer;
import io.gatehouse.probe.Outcome.Received;
import io.gatehouse.probe.Outcome.Refused;
import io.gatehouse.probe.Outcome.StillOpen;
import io.gatehouse.probe.Verdict.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The verdict rules, on outcomes alone. */
class ProbeRuleTest {
    private static final Duration SOON = Duration.ofMillis(20);
    private static final Received NOTHING = new Received(0, null);

    static Kind judge(Rule rule, Outcome outcome) {
        return rule.judge(outcome).kind();
    }

    @Test
    void aCredentialRefusalMustBeACloseWithARefusalCodeAndAReason() {
        assertThat(judge(Rule.MUST_REFUSE, new Closed(4401, "TOKEN_INVALID", SOON, NOTHING)))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.MUST_REFUSE, new Closed(1008, "unauthorized", SOON, NOTHING)))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.MUST_REFUSE, new Closed(3000, "Unauthorized", SOON, NOTHING)))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.MUST_REFUSE, new Closed(4401, " ", SOON, NOTHING)))
                .isEqualTo(Kind.UNREADABLE);
        assertThat(judge(Rule.MUST_REFUSE, new Closed(Closed.NO_STATUS, "", SOON, NOTHING)))
                .isEqualTo(Kind.UNREADABLE);
        assertThat(judge(Rule.MUST_REFUSE, new Closed(1000, "bye", SOON, NOTHING)))
                .isEqualTo(Kind.UNREADABLE);
        assertThat(judge(Rule.MUST_REFUSE, new Closed(1011, "error", SOON, NOTHING)))
                .isEqualTo(Kind.UNREADABLE);
        assertThat(judge(Rule.MUST_REFUSE, new Refused(401, "Unauthorized", null)))
                .isEqualTo(Kind.UNREADABLE);
        assertThat(judge(Rule.MUST_REFUSE, new Dropped(SOON, NOTHING))).isEqualTo(Kind.UNREADABLE);
        assertThat(judge(Rule.MUST_REFUSE, new NoAnswer("reset"))).isEqualTo(Kind.UNREADABLE);
    }

    @Test
    void aCredentialThatMustBeRefusedButStaysOpenIsUnsafeWithOrWithoutData() {
        assertThat(judge(Rule.MUST_REFUSE, new StillOpen(Duration.ofSeconds(6), NOTHING)))
                .isEqualTo(Kind.UNSAFE);
        assertThat(Rule.MUST_REFUSE
                        .judge(new StillOpen(Duration.ofSeconds(6), new Received(2, "{}")))
                        .why())
                .startsWith("accepted: sent 2 messages");
    }

    @Test
    void aLateReadableCloseIsSafeEvenAfterAMessageWhichTheTableShows() {
        Closed closed = new Closed(
                4408, "AUTH_TIMEOUT", Duration.ofMillis(5020), new Received(1, "{\"type\":\"auth_required\"}"));
        assertThat(judge(Rule.MUST_REFUSE, closed)).isEqualTo(Kind.SAFE);
        assertThat(closed.describe())
                .isEqualTo("close 4408 AUTH_TIMEOUT after 5.0 s, before it 1 message: {\"type\":\"auth_required\"}");
    }

    @Test
    void aForeignOriginMayBeRefusedAnyWayButNotAccepted() {
        assertThat(judge(Rule.MUST_REFUSE_CROSS_SITE, new Refused(403, "Forbidden", "ORIGIN_NOT_ALLOWED")))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.MUST_REFUSE_CROSS_SITE, new Closed(4403, "ORIGIN_NOT_ALLOWED", SOON, NOTHING)))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.MUST_REFUSE_CROSS_SITE, new Dropped(SOON, NOTHING)))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.MUST_REFUSE_CROSS_SITE, new StillOpen(SOON, new Received(1, "{}"))))
                .isEqualTo(Kind.UNSAFE);
    }

    @Test
    void aValidCredentialRefusedReadablyIsSafeButAnUnreadableRefusalIsNot() {
        assertThat(judge(Rule.SHOULD_ACCEPT, new StillOpen(SOON, new Received(1, "{}"))))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.SHOULD_ACCEPT, new Closed(4401, "TOKEN_INVALID", SOON, NOTHING)))
                .isEqualTo(Kind.SAFE);
        assertThat(judge(Rule.SHOULD_ACCEPT, new Refused(401, "Unauthorized", null)))
                .isEqualTo(Kind.UNREADABLE);
    }

    @Test
    void outcomesDescribeThemselvesForTheTable() {
        assertThat(new Refused(403, "Forbidden", "ORIGIN_NOT_ALLOWED").describe())
                .isEqualTo("HTTP 403 ORIGIN_NOT_ALLOWED");
        assertThat(new Refused(401, "Unauthorized", null).describe()).isEqualTo("HTTP 401 Unauthorized");
        assertThat(new Closed(4401, "", SOON, NOTHING).describe()).isEqualTo("close 4401 (no reason)");
        assertThat(new StillOpen(Duration.ofMillis(2000), NOTHING).describe())
                .isEqualTo("upgraded, still open after 2.0 s, no message");
    }
}
