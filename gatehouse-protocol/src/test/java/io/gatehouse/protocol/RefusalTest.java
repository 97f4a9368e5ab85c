package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RefusalTest {
    @Test
    void everyCloseReasonReadsBackAsItsRefusal() {
        for (RefusalCode c : RefusalCode.values()) {
            assertThat(Refusal.fromCloseReason(c.refusal().closeReason())).contains(new Refusal(c, c.defaultHint(), 0));
            Refusal paced = c.refusal().retryAfter(4000);
            assertThat(paced.closeReason()).isEqualTo(c.name() + " retry_after_ms=4000");
            assertThat(Refusal.fromCloseReason(paced.closeReason()))
                    .get()
                    .extracting(Refusal::code, Refusal::retryAfterMillis)
                    .containsExactly(c, 4000L);
            assertThat(paced.closeReason().getBytes(StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(Refusal.MAX_CLOSE_REASON_BYTES);
        }
    }

    @Test
    void reasonsInAnyOtherFormatAreNotRefusals() {
        for (String reason : new String[] {
            null,
            "",
            "Going away",
            "TOKEN_EXPIRED ",
            "TOKEN_EXPIRED retry_after_ms=",
            "TOKEN_EXPIRED retry_after_ms=x",
            "TOKEN_EXPIRED retry_after_ms=-5",
            "TOKEN_EXPIRED because",
            "token_expired"
        }) {
            assertThat(Refusal.fromCloseReason(reason))
                    .as(String.valueOf(reason))
                    .isEmpty();
        }
    }

    @Test
    void clientActionsFollowTheKindOfRefusal() {
        for (RefusalCode c : RefusalCode.values()) {
            ClientAction a = c.clientAction();
            if (c.httpStatus() == 401) {
                assertThat(a).as(c.name()).isIn(ClientAction.LOG_IN, ClientAction.REFRESH_THEN_RETRY);
            }
            if (c.closeCode() == 1012 || c.httpStatus() == 503 || c.httpStatus() == 500) {
                assertThat(a).as(c.name()).isEqualTo(ClientAction.RETRY);
            }
        }
        assertThat(RefusalCode.TOKEN_EXPIRED.clientAction()).isEqualTo(ClientAction.REFRESH_THEN_RETRY);
        assertThat(RefusalCode.CSRF_VALIDATION_ERROR.clientAction()).isEqualTo(ClientAction.REFRESH_THEN_RETRY);
        assertThat(RefusalCode.TOKEN_INVALID.clientAction()).isEqualTo(ClientAction.LOG_IN);
        assertThat(RefusalCode.CONNECTION_REPLACED.clientAction()).isEqualTo(ClientAction.STOP);
        assertThat(RefusalCode.MESSAGE_TOO_BIG.clientAction()).isEqualTo(ClientAction.STOP);
        assertThat(RefusalCode.BAD_REQUEST.clientAction()).isEqualTo(ClientAction.STOP);
        assertThat(RefusalCode.RATE_LIMITED.clientAction()).isEqualTo(ClientAction.RETRY);
        assertThat(ClientAction.RETRY.reconnects()).isTrue();
        assertThat(ClientAction.REFRESH_THEN_RETRY.reconnects()).isTrue();
        assertThat(ClientAction.LOG_IN.reconnects()).isFalse();
        assertThat(ClientAction.STOP.reconnects()).isFalse();
    }
}
