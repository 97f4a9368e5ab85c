package io.gatehouse.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Exactly once, in order, across resubscribes: the cursor on data alone. */
class StreamCursorTest {
    private static Publication pub(long offset, String epoch) {
        return new Publication("feed", offset, epoch, "{}", Instant.EPOCH);
    }

    @Test
    void aFirstSubscribeStartsAfterThePositionTheServerGave() {
        StreamCursor c = new StreamCursor();
        c.subscribed(false, new StreamPosition(5, "e1"));
        assertThat(c.advance(pub(5, "e1"))).isFalse();
        assertThat(c.advance(pub(6, "e1"))).isTrue();
        assertThat(c.position()).isEqualTo(new StreamPosition(6, "e1"));
    }

    @Test
    void aRecoveredResubscribeKeepsTheCursorAndDropsWhatWasDeliveredAlready() {
        StreamCursor c = new StreamCursor();
        c.subscribed(false, new StreamPosition(0, "e1"));
        c.advance(pub(1, "e1"));
        c.advance(pub(2, "e1"));
        c.subscribed(true, new StreamPosition(4, "e1"));
        assertThat(c.advance(pub(2, "e1"))).as("a duplicate").isFalse();
        assertThat(c.advance(pub(3, "e1"))).isTrue();
        assertThat(c.advance(pub(4, "e1"))).isTrue();
        assertThat(c.advance(pub(4, "e1"))).isFalse();
    }

    @Test
    void anUnrecoveredResubscribeJumpsToTheNewEpoch() {
        StreamCursor c = new StreamCursor();
        c.subscribed(false, new StreamPosition(10, "old"));
        c.subscribed(false, new StreamPosition(0, "new"));
        assertThat(c.position()).isEqualTo(new StreamPosition(0, "new"));
        assertThat(c.advance(pub(1, "new"))).isTrue();
    }

    @Test
    void anyInterleavingOfRepeatsDeliversEachOffsetOnceInOrder() {
        Random random = new Random(11);
        for (int run = 0; run < 200; run++) {
            StreamCursor c = new StreamCursor();
            c.subscribed(false, new StreamPosition(0, "e"));
            List<Long> delivered = new ArrayList<>();
            long newest = 0;
            for (int step = 0; step < 50; step++) {
                // the server repeats some of what it sent (a recovery overlapping live ones) and moves on
                long from = Math.max(1, newest - random.nextInt(4));
                long to = newest + random.nextInt(3);
                for (long o = from; o <= to; o++) {
                    if (c.advance(pub(o, "e"))) {
                        delivered.add(o);
                    }
                }
                newest = Math.max(newest, to);
            }
            for (int i = 0; i < delivered.size(); i++) {
                assertThat(delivered.get(i)).isEqualTo(i + 1L);
            }
        }
    }
}
