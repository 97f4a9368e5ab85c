package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one pub/sub connection: the control channel from the start, and each channel's
 * events pub/sub channel while the hub has local subscribers on it (SUBSCRIBE on the first, the
 * hub's {@link Broker#subscribe}; UNSUBSCRIBE on the last). Commands go out on the one connection
 * in the order they are called, so one channel's subscribe and unsubscribe take effect in order.
 * Lettuce subscribes again to what it was subscribed to when it reconnects.
 */
final class RedisSubscriptions {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriptions.class);

    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisKeys keys;
    /** Events pub/sub channel to its channel, while subscribed: no parsing per message. */
    private final ConcurrentHashMap<String, ChannelName> subscribed = new ConcurrentHashMap<>();

    RedisSubscriptions(
            StatefulRedisPubSubConnection<String, String> pubSub, RedisKeys keys, RedisDeliveries deliveries) {
        this.pubSub = pubSub;
        this.keys = keys;
        String control = keys.control();
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (from.equals(control)) {
                    deliveries.onControl(message);
                    return;
                }
                ChannelName channel = subscribed.get(from);
                if (channel == null) {
                    // Sent before an UNSUBSCRIBE took effect: still in the channel's order.
                    channel = keys.channelOfEvents(from).orElse(null);
                }
                if (channel != null) {
                    deliveries.onEvents(channel, message);
                }
            }
        });
    }

    /**
     * Subscribes to the control channel and waits until Redis confirmed it (bounded by
     * {@code timeout}): for start-up, so that a command published once the broker exists reaches it.
     */
    void subscribeToControl(Duration timeout) throws InterruptedException, ExecutionException, TimeoutException {
        pubSub.async().subscribe(keys.control()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Subscribes to {@code channel}'s events; completes (on a Lettuce thread) once Redis confirmed it. */
    CompletableFuture<Void> subscribe(ChannelName channel) {
        String name = keys.events(channel);
        subscribed.put(name, channel);
        return pubSub.async().subscribe(name).toCompletableFuture();
    }

    void unsubscribe(ChannelName channel) {
        String name = keys.events(channel);
        subscribed.remove(name);
        pubSub.async().unsubscribe(name).whenComplete((v, failure) -> {
            if (failure != null) {
                LOG.warn("Redis UNSUBSCRIBE from the events of {} failed: {}", channel.value(), failure.toString());
            }
        });
    }
}
