package io.gatehouse.connection;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ViolationCounterTest {
    static final long SECOND = 1_000_000_000L;

    @Test
    void theTenthViolationWithinAMinuteTrips() {
        ViolationCounter c = new ViolationCounter();
        for (int i = 0; i < 9; i++) {
            assertThat(c.record(i * SECOND)).isFalse();
        }
        assertThat(c.record(9 * SECOND)).isTrue();
    }

    @Test
    void violationsSpreadOverMoreThanAMinuteDoNotTrip() {
        ViolationCounter c = new ViolationCounter();
        for (int i = 0; i < 30; i++) {
            assertThat(c.record(i * 7 * SECOND)).isFalse();
        }
    }
}
