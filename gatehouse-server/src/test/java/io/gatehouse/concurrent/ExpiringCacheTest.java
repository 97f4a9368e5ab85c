package io.gatehouse.concurrent;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ExpiringCacheTest {
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    final String invalid = "TOKEN_INVALID";

    @Test
    void anAnswerIsServedUntilItExpiresAndThenForgotten() {
        ExpiringCache<String> cache = new ExpiringCache<>(clock, 10);
        cache.put("k", invalid, clock.instant().plusSeconds(5));
        clock.advance(Duration.ofMillis(4999));
        assertThat(cache.get("k")).isSameAs(invalid);
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.get("k")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void anAnswerThatIsAlreadyExpiredIsNotStored() {
        ExpiringCache<String> cache = new ExpiringCache<>(clock, 10);
        cache.put("k", invalid, clock.instant());
        assertThat(cache.size()).isZero();
    }

    @Test
    void whenFullTheLeastRecentlyUsedAnswerGoesFirst() {
        ExpiringCache<String> cache = new ExpiringCache<>(clock, 3);
        Instant later = clock.instant().plusSeconds(60);
        cache.put("a", invalid, later);
        cache.put("b", invalid, later);
        cache.put("c", invalid, later);
        cache.get("a"); // "b" is now the least recently used
        cache.put("d", invalid, later);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("b")).isNull();
        assertThat(cache.get("a")).isNotNull();
        assertThat(cache.get("c")).isNotNull();
        assertThat(cache.get("d")).isNotNull();
    }
}
