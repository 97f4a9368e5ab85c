package io.gatehouse.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.broker.Broker;
import io.gatehouse.protocol.ChannelName;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@code {"headline", "n", "at"}} to the channel {@value Demo#CHANNEL} every second
 * through the node's broker, as {@code POST /api/v1/publish} does; the first one at once.
 */
final class DemoPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DemoPublisher.class);
    static final ChannelName NEWS = ChannelName.parse(Demo.CHANNEL).orElseThrow();
    static final long PERIOD_MILLIS = 1000;

    private static final List<String> HEADLINES = List.of(
            "Gatehouse demo is live",
            "A refused upgrade says why: one code in the body, the close frame and the access log",
            "Tokens refresh in-band before they expire",
            "Reconnects resume from the last offset",
            "Every publication reaches each subscriber once, in order",
            "Slow consumers are closed with 4508, never buffered forever",
            "The dashboard is live over its own WebSocket");

    private final Broker broker;
    private final Clock clock;
    private final ObjectMapper json = new ObjectMapper();
    private final ScheduledExecutorService timer = Demo.timer("news");
    private final AtomicBoolean failing = new AtomicBoolean();
    private long n;

    DemoPublisher(Broker broker, Clock clock) {
        this.broker = broker;
        this.clock = clock;
    }

    void start() {
        timer.scheduleAtFixedRate(this::publish, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void publish() {
        n++;
        ObjectNode data = json.createObjectNode()
                .put("headline", HEADLINES.get((int) ((n - 1) % HEADLINES.size())))
                .put("n", n)
                .put("at", clock.instant().toString());
        try {
            broker.publish(NEWS, data.toString()).whenComplete((p, e) -> {
                if (e != null && failing.compareAndSet(false, true)) {
                    LOG.warn("the demo could not publish to {}: {}", Demo.CHANNEL, e.toString());
                } else if (e == null) {
                    failing.set(false);
                }
            });
        } catch (RuntimeException e) { // a stopped broker; the next tick tries again
            if (failing.compareAndSet(false, true)) {
                LOG.warn("the demo could not publish to {}: {}", Demo.CHANNEL, e.toString());
            }
        }
    }

    @Override
    public void close() {
        Demo.stop(timer);
    }
}
