package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OriginPolicyTest {
    final OriginPolicy policy = new OriginPolicy(List.of("https://app.example.com"));

    @Test
    void theServersOwnOriginAndConfiguredOnesAreAllowed() {
        assertThat(policy.check("http://gate.example:8080", "gate.example:8080", true))
                .isNull();
        assertThat(policy.check("https://APP.example.com", "gate.example:8080", true))
                .isNull();
    }

    @Test
    void anyOtherOriginIsRefusedWithTheKeyToChange() {
        var refusal = policy.check("https://evil.example", "gate.example:8080", false);
        assertThat(refusal.code().name()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(refusal.hint()).contains("server.allowed_origins");
        assertThat(policy.check("http://gate.example:9999", "gate.example:8080", false))
                .isNotNull();
    }

    @Test
    void noOriginIsFineForTokensButNotForCookies() {
        assertThat(policy.check(null, "gate.example", false)).isNull();
        assertThat(policy.check(null, "gate.example", true)).isNotNull();
    }

    @Test
    void eachRefusedOriginIsLoggedOnceAMinute() {
        Logger logger = (Logger) LoggerFactory.getLogger(OriginPolicy.class);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.start();
        logger.addAppender(captured);
        try {
            for (int i = 0; i < 5; i++) {
                policy.check("https://evil.example", "gate.example", false);
                policy.check("https://other.example", "gate.example", false);
            }
        } finally {
            logger.detachAppender(captured);
        }
        assertThat(captured.list).hasSize(2);
        assertThat(captured.list.get(0).getFormattedMessage()).contains("evil.example", "server.allowed_origins");
    }
}
