package io.gatehouse.history;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The recovery merge on data: what a subscription's client gets, from since, a history read and held-back publications. */
class RecoveryTest {
    static final String E = "e1";

    static Publication p(long offset) {
        return p(offset, E);
    }

    static Publication p(long offset, String epoch) {
        return new Publication("ch", offset, epoch, "{}", Instant.EPOCH);
    }

    static List<Publication> range(long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(RecoveryTest::p).toList();
    }

    static HistoryPage page(List<Publication> publications, long offset) {
        return new HistoryPage(publications, new StreamPosition(offset, E));
    }

    static List<Long> offsets(List<Publication> ps) {
        return ps.stream().map(Publication::offset).toList();
    }

    @Test
    void aGapStillInHistoryIsRecoveredInOrder() {
        Recovery r = Recovery.of(new StreamPosition(3, E), page(range(4, 7), 7), List.of());
        assertThat(r.recovered()).isTrue();
        assertThat(offsets(r.missed())).containsExactly(4L, 5L, 6L, 7L);
        assertThat(r.position()).isEqualTo(new StreamPosition(7, E));
        assertThat(r.live()).isEmpty();
    }

    @Test
    void nothingMissedIsRecoveredWithNoPublications() {
        Recovery r = Recovery.of(new StreamPosition(7, E), page(List.of(), 7), List.of());
        assertThat(r.recovered()).isTrue();
        assertThat(r.missed()).isEmpty();
    }

    @Test
    void heldBackPublicationsTheReadAlsoSawAreDroppedAndNewerOnesFollowLive() {
        // held back from offset 6 on; the read saw up to 7; 8 and 9 came after the read
        Recovery r = Recovery.of(new StreamPosition(3, E), page(range(4, 7), 7), range(6, 9));
        assertThat(offsets(r.missed())).containsExactly(4L, 5L, 6L, 7L);
        assertThat(offsets(r.live())).containsExactly(8L, 9L);
    }

    @Test
    void anotherEpochIsNotRecoveredAndStartsAtTheCurrentPosition() {
        Recovery r = Recovery.of(new StreamPosition(3, "old"), page(range(1, 5), 5), range(5, 6));
        assertThat(r.recovered()).isFalse();
        assertThat(r.missed()).isEmpty();
        assertThat(r.position()).isEqualTo(new StreamPosition(5, E));
        assertThat(offsets(r.live())).containsExactly(6L);
    }

    @Test
    void aGapTrimmedFromHistoryIsNotRecovered() {
        // the client has 3, history keeps only 6..9
        Recovery r = Recovery.of(new StreamPosition(3, E), page(range(6, 9), 9), List.of());
        assertThat(r.recovered()).isFalse();
        assertThat(r.missed()).isEmpty();
        assertThat(r.position().offset()).isEqualTo(9);
    }

    @Test
    void aHoleInsideTheReadIsNotRecovered() {
        List<Publication> holed = new ArrayList<>(range(4, 7));
        holed.remove(1);
        assertThat(Recovery.of(new StreamPosition(3, E), page(holed, 7), List.of())
                        .recovered())
                .isFalse();
        // and a read that stops short of its own position
        assertThat(Recovery.of(new StreamPosition(3, E), page(range(4, 6), 7), List.of())
                        .recovered())
                .isFalse();
    }

    @Test
    void aPositionFromTheFutureIsNotRecovered() {
        assertThat(Recovery.of(new StreamPosition(9, E), page(List.of(), 7), List.of())
                        .recovered())
                .isFalse();
    }

    @Test
    void aPlainSubscribeStartsAtThePositionAndDropsWhatTheReadAlreadyCounted() {
        Recovery r = Recovery.of(null, page(List.of(), 7), range(6, 8));
        assertThat(r.recovered()).isFalse();
        assertThat(r.position().offset()).isEqualTo(7);
        assertThat(offsets(r.live())).containsExactly(8L);
    }

    @Test
    void publicationsOfANewEpochHeldBackAllFollowLive() {
        Recovery r = Recovery.of(null, page(List.of(), 7), List.of(p(7), p(1, "e2"), p(2, "e2")));
        assertThat(r.live()).extracting(Publication::epoch).containsExactly("e2", "e2");
    }

    /** Any interleaving of a read and held-back live publications gives since+1 .. newest, once each. */
    @Test
    void everySplitOfReadAndHeldBackGivesEachOffsetExactlyOnce() {
        Random random = new Random(42);
        for (int round = 0; round < 2_000; round++) {
            long since = random.nextInt(20);
            long readAt = since + random.nextInt(20); // newest offset when history was read
            long heldFrom = since + 1 + random.nextInt((int) (readAt - since) + 1); // first held-back offset
            long newest = readAt + random.nextInt(10);
            Recovery r = Recovery.of(
                    new StreamPosition(since, E), page(range(since + 1, readAt), readAt), range(heldFrom, newest));
            List<Long> got = new ArrayList<>(offsets(r.missed()));
            got.addAll(offsets(r.live()));
            assertThat(r.recovered()).isTrue();
            assertThat(got)
                    .isEqualTo(LongStream.rangeClosed(since + 1, newest).boxed().toList());
        }
    }
}
