package io.gatehouse.testing;

import java.time.Clock;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** What the tests' clocks ({@link MutableClock}, {@link ShiftedClock}) share: one zone, UTC. */
abstract class TestClock extends Clock {
    @Override
    public final ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public final Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("a test clock has one zone");
    }
}
