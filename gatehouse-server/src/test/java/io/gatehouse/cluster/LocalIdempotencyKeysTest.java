package io.gatehouse.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The single node's idempotency keys: claim, settle, release, expiry and the bound on memory. */
class LocalIdempotencyKeysTest {
    final AtomicLong now = new AtomicLong();
    final LocalIdempotencyKeys keys = new LocalIdempotencyKeys(now::get);
    static final Duration WINDOW = Duration.ofMinutes(5);

    String claim(String key) {
        return keys.claim(key, WINDOW).toCompletableFuture().join();
    }

    @Test
    void theFirstClaimWinsARepeatSeesPendingThenTheResultUntilTheWindowEnds() {
        assertThat(claim("k")).isNull();
        assertThat(claim("k")).isEqualTo(IdempotencyKeys.PENDING);
        keys.settle("k", "7 e1 2026-12-03T00:00:00Z", WINDOW);
        assertThat(claim("k")).isEqualTo("7 e1 2026-12-03T00:00:00Z");
        now.addAndGet(WINDOW.toNanos() + 1);
        assertThat(claim("k")).as("forgotten after the window").isNull();
    }

    @Test
    void aReleasedKeyIsClaimedAgain() {
        assertThat(claim("k")).isNull();
        keys.release("k");
        assertThat(claim("k")).isNull();
    }

    @Test
    void atMostTheNewestHundredThousandKeysAreKept() {
        for (int i = 0; i <= LocalIdempotencyKeys.MAX_KEYS; i++) {
            claim("k" + i);
        }
        assertThat(keys.size()).isEqualTo(LocalIdempotencyKeys.MAX_KEYS);
        assertThat(claim("k0")).as("the oldest went first").isNull();
        assertThat(claim("k" + LocalIdempotencyKeys.MAX_KEYS)).isEqualTo(IdempotencyKeys.PENDING);
    }
}
