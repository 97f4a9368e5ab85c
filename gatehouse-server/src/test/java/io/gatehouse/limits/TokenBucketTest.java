package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.RateLimit;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstIsAllowedThenTheRateRefills() {
        TokenBucket b = new TokenBucket(new RateLimit(2, 3), 0);
        assertThat(b.take(0)).isZero();
        assertThat(b.take(0)).isZero();
        assertThat(b.take(0)).isZero();
        assertThat(b.take(0)).isEqualTo(500); // one token every 500 ms
        assertThat(b.take(SECOND / 2)).isZero();
        assertThat(b.take(SECOND / 2)).isPositive();
        assertThat(b.isFull(10 * SECOND)).isTrue();
    }

    @Test
    void fractionalRatesWork() {
        TokenBucket b = new TokenBucket(new RateLimit(0.2, 1), 0);
        assertThat(b.take(0)).isZero();
        assertThat(b.take(0)).isEqualTo(5000);
        assertThat(b.peek(5 * SECOND)).isZero();
    }
}
