package io.gatehouse.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.metrics.GatehouseMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The wait before a retry: full jitter, up to retry_base * 2^(attempts-1), never above retry_cap. */
class WebhookBackoffTest {
    static WebhookDelivery delivery(Duration base, Duration cap) {
        var config = new GatehouseConfig.Hooks(
                "http://127.0.0.1:9/hooks",
                "secret",
                List.of(),
                List.of(),
                20,
                100_000,
                Duration.ofSeconds(5),
                base,
                cap);
        // Built, never started: no thread runs and nothing is sent.
        return new WebhookDelivery(null, config, new GatehouseMetrics(), Clock.systemUTC(), new AtomicLong());
    }

    @Test
    void eachWaitIsRandomUpToTheDoubledBaseAndNeverAboveTheCap() {
        WebhookDelivery d = delivery(Duration.ofSeconds(1), Duration.ofMinutes(10));
        for (int attempts = 1; attempts <= 100; attempts++) {
            long ceiling = Math.min(600_000L, attempts > 30 ? Long.MAX_VALUE : 1000L << (attempts - 1));
            for (int i = 0; i < 200; i++) {
                assertThat(d.backoff(attempts).toMillis()).isBetween(0L, ceiling);
            }
        }
    }

    @Test
    void theWaitsSpreadOverTheWholeRange() {
        WebhookDelivery d = delivery(Duration.ofSeconds(1), Duration.ofMinutes(10));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2000; i++) {
            long ms = d.backoff(20).toMillis();
            min = Math.min(min, ms);
            max = Math.max(max, ms);
        }
        assertThat(min).as("full jitter reaches near zero").isLessThan(60_000);
        assertThat(max).as("and near the cap").isGreaterThan(540_000);
    }
}
