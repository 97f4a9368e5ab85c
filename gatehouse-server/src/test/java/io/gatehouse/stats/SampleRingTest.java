package io.gatehouse.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SampleRingTest {
    private static Sample sample(int n) {
        return new Sample(Instant.ofEpochSecond(n), n, 0, Map.of(), 0, 0, 0, 0, 0, 0, 0, 0, 0, n);
    }

    @Test
    void keepsTheLast900SamplesOldestFirst() {
        SampleRing ring = new SampleRing(SampleRing.CAPACITY);
        for (int i = 1; i <= 2000; i++) {
            ring.add(sample(i));
            assertThat(ring.size()).isEqualTo(Math.min(i, 900));
        }

        List<Sample> kept = ring.oldestFirst();

        assertThat(SampleRing.CAPACITY).isEqualTo(900);
        assertThat(kept).hasSize(900);
        assertThat(kept.get(0).connections()).isEqualTo(1101);
        assertThat(kept.get(899).connections()).isEqualTo(2000);
        assertThat(ring.newest()).isSameAs(kept.get(899));
        for (int i = 1; i < kept.size(); i++) {
            assertThat(kept.get(i).connections()).isEqualTo(kept.get(i - 1).connections() + 1);
        }
    }

    @Test
    void beforeItIsFullItHoldsWhatWasAdded() {
        SampleRing ring = new SampleRing(3);
        assertThat(ring.newest()).isNull();
        assertThat(ring.oldestFirst()).isEmpty();

        ring.add(sample(1));
        ring.add(sample(2));

        assertThat(ring.oldestFirst()).extracting(Sample::connections).containsExactly(1, 2);
        ring.add(sample(3));
        ring.add(sample(4));
        assertThat(ring.oldestFirst()).extracting(Sample::connections).containsExactly(2, 3, 4);
    }
}
