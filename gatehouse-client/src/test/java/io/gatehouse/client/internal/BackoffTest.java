package io.gatehouse.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The reconnect backoff on data alone: a seeded random source, no clock, no sleeping. */
class BackoffTest {
    private static final Duration BASE = Duration.ofMillis(500);
    private static final Duration CAP = Duration.ofSeconds(30);

    private static final RandomGenerator HIGHEST = HighestDraw.INSTANCE;

    @Test
    void theCeilingDoublesFromTheBaseUntilTheCap() {
        Backoff backoff = new Backoff(BASE, CAP, HIGHEST);
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            delays.add(backoff.next(0).toMillis());
        }
        assertThat(delays).containsExactly(500L, 1000L, 2000L, 4000L, 8000L, 16000L, 30000L, 30000L, 30000L, 30000L);
    }

    @Test
    void everyDelayIsFullJitterWithinZeroAndTheCeiling() {
        Backoff backoff = new Backoff(BASE, CAP, new Random(42));
        long min = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 2000; attempt++) {
            long ceiling = Math.min(CAP.toMillis(), BASE.toMillis() << Math.min(attempt, 20));
            long delay = backoff.next(0).toMillis();
            assertThat(delay).as("attempt %d", attempt).isBetween(0L, ceiling);
            min = Math.min(min, delay);
        }
        assertThat(min).as("full jitter reaches down towards zero").isLessThan(BASE.toMillis());
    }

    @Test
    void delaysAreSpreadOverTheRangeNotBunchedAtTheCeiling() {
        Backoff backoff = new Backoff(BASE, CAP, new Random(7));
        for (int i = 0; i < 10; i++) {
            backoff.next(0); // at the cap from here on
        }
        long below = 0;
        for (int i = 0; i < 1000; i++) {
            if (backoff.next(0).toMillis() < CAP.toMillis() / 2) {
                below++;
            }
        }
        assertThat(below).as("about half below cap/2").isBetween(350L, 650L);
    }

    @Test
    void resetStartsOverFromTheBase() {
        Backoff backoff = new Backoff(BASE, CAP, HIGHEST);
        for (int i = 0; i < 8; i++) {
            backoff.next(0);
        }
        backoff.reset();
        assertThat(backoff.next(0)).isEqualTo(BASE);
        assertThat(backoff.next(0)).isEqualTo(BASE.multipliedBy(2));
    }

    @Test
    void theServersRetryAfterIsAFloorNeverShortened() {
        Backoff backoff = new Backoff(BASE, CAP, new Random(1));
        for (int i = 0; i < 500; i++) {
            assertThat(backoff.next(7_312)).isGreaterThanOrEqualTo(Duration.ofMillis(7_312));
        }
        // A retry_after above the cap is honoured too: the server knows best.
        assertThat(backoff.next(45_000)).isEqualTo(Duration.ofSeconds(45));
    }

    @Test
    void manyAttemptsNeitherOverflowNorExceedTheCap() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofDays(365), HIGHEST);
        long last = 0;
        for (int i = 0; i < 200; i++) {
            last = backoff.next(0).toMillis();
            assertThat(last)
                    .isPositive()
                    .isLessThanOrEqualTo(Duration.ofDays(365).toMillis());
        }
        assertThat(last).isEqualTo(Duration.ofDays(365).toMillis());
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        Backoff a = new Backoff(BASE, CAP, new Random(99));
        Backoff b = new Backoff(BASE, CAP, new Random(99));
        for (int i = 0; i < 20; i++) {
            assertThat(a.next(0)).isEqualTo(b.next(0));
        }
    }
}
