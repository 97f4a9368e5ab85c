package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.broker.BrokerContract.ContinuityLost;
import io.gatehouse.broker.BrokerContract.RecordingListener;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a {@link RedisBroker} node does with the messages its pub/sub connection hands it, on data
 * alone (no Redis): the messages are written as the publish script writes them. Memory stays
 * bounded whatever other nodes publish: past a bound, the channel's subscribers are told that
 * continuity is lost instead.
 */
class RedisDeliveriesTest {
    static final int BOUND = 10;
    static final String EPOCH = "00000000000000e1";
    final ChannelName news = ChannelName.parse("news").orElseThrow();
    final RedisDeliveries deliveries = new RedisDeliveries("thisnode", BOUND);
    final RecordingListener received = new RecordingListener();

    @AfterEach
    void close() {
        deliveries.close();
    }

    /** Publication {@code offset} of news as another node's publish script sends it. */
    static String message(long offset) {
        return "p othernode/" + offset + " " + offset + " " + EPOCH + " "
                + RedisMessages.publicationBody(Instant.parse("2026-01-01T00:00:00Z"), Long.toString(offset));
    }

    static List<Object> offsetsAndSignals(List<Object> deliveries) {
        return deliveries.stream()
                .map(d -> d instanceof Publication p ? (Object) p.offset() : d)
                .toList();
    }

    @Test
    void aFloodFromOtherNodesPastTheBoundIsDroppedAndTheChannelToldInsteadOfGrowingMemory() throws Exception {
        CountDownLatch inFirst = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        received.duringPublication(p -> {
            if (p.offset() == 1) {
                inFirst.countDown();
                await(release);
            }
        });
        deliveries.start(received);
        deliveries.watch(news);
        deliveries.onEvents(news, message(1));
        assertThat(inFirst.await(10, TimeUnit.SECONDS)).isTrue(); // the lane is busy with 1
        for (long n = 2; n <= 30; n++) {
            deliveries.onEvents(news, message(n));
        }
        assertThat(deliveries.backlog(news)).as("what waits in the lane").isLessThanOrEqualTo(BOUND + 1);
        release.countDown();

        List<Object> delivered = offsetsAndSignals(received.awaitDeliveries(12));
        assertThat(delivered.subList(0, 11)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L, 11L);
        assertThat(delivered.get(11)).isEqualTo(new ContinuityLost(news));
        received.assertNothingDeliveredFor(Duration.ofMillis(200));

        deliveries.onEvents(news, message(31)); // once the lane is drained, messages flow again
        assertThat(offsetsAndSignals(received.awaitDeliveries(1))).containsExactly(31L);
    }

    @Test
    void moreMessagesDuringARecoveryReadThanCanBeHeldBackEndItWithTheChannelTold() {
        deliveries.start(received);
        ChannelCursor cursor = deliveries.watch(news);
        deliveries.onEvents(news, message(1));
        assertThat(offsetsAndSignals(received.awaitDeliveries(1))).containsExactly(1L);

        ChannelCursor.Recovery recovery = cursor.startRecovery(); // the pub/sub connection came back
        for (long n = 2; n <= 30; n++) {
            deliveries.onEvents(news, message(n)); // live, held back behind the read
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> deliveries.backlog(news) == 0);
        }
        // The read finds nothing missed (position 1): without the bound, 2..30 would follow now.
        deliveries.recovered(news, cursor, recovery, new HistoryPage(List.of(), new StreamPosition(1, EPOCH)));

        assertThat(received.awaitDeliveries(1)).containsExactly(new ContinuityLost(news));
        received.assertNothingDeliveredFor(Duration.ofMillis(200));
        deliveries.onEvents(news, message(31));
        assertThat(offsetsAndSignals(received.awaitDeliveries(1))).containsExactly(31L);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
