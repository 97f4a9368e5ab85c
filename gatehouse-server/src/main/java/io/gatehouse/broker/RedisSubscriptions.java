package io.gatehouse.broker;

import io.gatehouse.protocol.ChannelName;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's one pub/sub connection: the control channel from the start, and each channel's
 * events pub/sub channel while the hub has local subscribers on it (SUBSCRIBE on the first, the
 * hub's {@link Broker#subscribe}; UNSUBSCRIBE on the last). Commands go out on the one connection
 * in the order they are called, so one channel's subscribe and unsubscribe take effect in order.
 * Lettuce subscribes again to what it was subscribed to when it reconnects; each channel it
 * subscribes to again is handed to {@link RedisRecoveries} (the control channel to
 * {@link RedisControlLog}), and one the hub left meanwhile (its
 * UNSUBSCRIBE was refused while the connection was down) is unsubscribed again.
 */
final class RedisSubscriptions {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSubscriptions.class);

    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final RedisKeys keys;
    /** Events pub/sub channel to its channel, while subscribed: no parsing per message. */
    private final ConcurrentHashMap<String, ChannelName> subscribed = new ConcurrentHashMap<>();
    /**
     * The events pub/sub channels Redis confirmed since they were subscribed: a confirmation of one
     * of them is Lettuce subscribing again after a reconnect. Only touched on the pub/sub
     * connection's Lettuce thread, and by {@link #unsubscribe}.
     */
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    /** Redis confirmed the control subscription once: a later confirmation is a resubscription. */
    private final AtomicBoolean controlConfirmed = new AtomicBoolean();
    /** Held while a SUBSCRIBE or UNSUBSCRIBE is sent with the change to {@link #subscribed} it goes with. */
    private final Object order = new Object();

    /** {@code resubscribed} is told (on a Lettuce thread) each channel Redis confirmed again after a reconnect. */
    RedisSubscriptions(
            StatefulRedisPubSubConnection<String, String> pubSub,
            RedisKeys keys,
            RedisDeliveries deliveries,
            Consumer<ChannelName> resubscribed,
            Runnable controlResubscribed) {
        this.pubSub = pubSub;
        this.keys = keys;
        String control = keys.control();
        pubSub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void subscribed(String name, long count) {
                ChannelName channel = subscribed.get(name);
                if (name.equals(control)) {
                    if (!controlConfirmed.compareAndSet(false, true)) {
                        controlResubscribed.run();
                    }
                } else if (channel == null) {
                    dropUnwanted(name);
                } else if (!confirmed.add(name)) {
                    resubscribed.accept(channel);
                }
            }

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
        synchronized (order) {
            subscribed.put(name, channel);
            return pubSub.async().subscribe(name).toCompletableFuture();
        }
    }

    void unsubscribe(ChannelName channel) {
        String name = keys.events(channel);
        synchronized (order) {
            subscribed.remove(name);
            confirmed.remove(name);
            sendUnsubscribe(name);
        }
    }

    /**
     * Redis confirmed a subscription to {@code name} that no one here wants: Lettuce subscribed
     * again after a reconnect to every channel it had, one whose UNSUBSCRIBE was refused while the
     * connection was down among them. Unsubscribed again, unless the hub subscribed meanwhile (the
     * check and the command under the lock that orders SUBSCRIBE and UNSUBSCRIBE).
     */
    private void dropUnwanted(String name) {
        synchronized (order) {
            if (!subscribed.containsKey(name)) {
                sendUnsubscribe(name);
            }
        }
    }

    private void sendUnsubscribe(String name) {
        pubSub.async().unsubscribe(name).whenComplete((v, failure) -> {
            if (failure != null) {
                // While the connection is down: Lettuce subscribes again on reconnect, and dropUnwanted
                // undoes it then.
                LOG.debug("Redis UNSUBSCRIBE from {} failed: {}", name, failure.toString());
            }
        });
    }
}
