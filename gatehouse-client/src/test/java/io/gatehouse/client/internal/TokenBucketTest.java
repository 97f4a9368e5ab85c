package io.gatehouse.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The outbound pacing on data alone: the time is passed in. */
class TokenBucketTest {
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    @Test
    void aBurstGoesAtOnceThenTheRateHolds() {
        TokenBucket bucket = new TokenBucket(50, 100, 0);
        for (int i = 0; i < 100; i++) {
            assertThat(bucket.take(0)).as("frame %d", i).isZero();
        }
        assertThat(bucket.take(0)).isEqualTo(SECOND / 50);
        assertThat(bucket.take(SECOND / 50)).isZero();
        assertThat(bucket.take(SECOND / 50)).isPositive();
    }

    @Test
    void anIdleBucketRefillsNoFurtherThanTheBurst() {
        TokenBucket bucket = new TokenBucket(50, 100, 0);
        for (int i = 0; i < 100; i++) {
            bucket.take(0);
        }
        int sent = 0;
        while (bucket.take(3600 * SECOND) == 0) {
            sent++;
        }
        assertThat(sent).isEqualTo(100);
    }
}
