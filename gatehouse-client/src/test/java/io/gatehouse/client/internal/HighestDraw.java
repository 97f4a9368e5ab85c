package io.gatehouse.client.internal;

import java.util.random.RandomGenerator;

/**
 * A random source that always draws the top of the range, so that a backoff's ceiling shows. The
 * backoff only asks for {@code nextLong(bound)}; the unbounded draw is not part of that contract.
 */
final class HighestDraw implements RandomGenerator {
    static final HighestDraw INSTANCE = new HighestDraw();

    private HighestDraw() {}

    @Override
    public long nextLong() {
        throw new UnsupportedOperationException("the backoff draws only below a bound");
    }

    @Override
    public long nextLong(long bound) {
        return bound - 1;
    }
}
