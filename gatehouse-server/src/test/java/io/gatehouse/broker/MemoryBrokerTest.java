package io.gatehouse.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.ChannelName;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The Broker contract on the memory broker: offsets per channel, delivered in offset order. */
class MemoryBrokerTest {
    @Test
    void concurrentPublishersSeeOffsetsDeliveredInOrderWithoutGapsOrDuplicates() throws Exception {
        Map<String, List<Long>> seen = new ConcurrentHashMap<>();
        MemoryBroker broker = new MemoryBroker(Clock.systemUTC());
        broker.start(new BrokerListener() {
            @Override
            public void onPublication(Publication p) {
                seen.computeIfAbsent(p.channel(), k -> new CopyOnWriteArrayList<>()).add(p.offset());
            }

            @Override
            public void onControl(ControlCommand command) {
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ChannelName a = ChannelName.parse("a").orElseThrow();
        ChannelName b = ChannelName.parse("b").orElseThrow();
        for (int i = 0; i < 2000; i++) {
            ChannelName c = i % 2 == 0 ? a : b;
            pool.submit(() -> broker.publish(c, "1"));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        for (String ch : List.of("a", "b")) {
            List<Long> offsets = seen.get(ch);
            assertThat(offsets).hasSize(1000);
            for (int i = 0; i < offsets.size(); i++) {
                assertThat(offsets.get(i)).isEqualTo(i + 1L);
            }
        }
        assertThat(broker.position(a).toCompletableFuture().join().offset()).isEqualTo(1000);
        assertThat(broker.position(ChannelName.parse("never").orElseThrow()).toCompletableFuture().join().offset()).isZero();
    }
}
