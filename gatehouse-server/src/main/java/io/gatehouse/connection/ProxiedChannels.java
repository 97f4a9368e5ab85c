package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.hub.Hub;
import io.gatehouse.hub.Subscription;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.proxy.ChannelProxy;
import io.gatehouse.proxy.PublishDecision;
import io.gatehouse.proxy.SubscribeDecision;
import java.lang.ref.WeakReference;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * What a connection asks the application about (docs/integrations.md): subscriptions, history and
 * presence in {@code subscribe: proxy} namespaces, client publishes in {@code publish: proxy} ones.
 * The answers come back on the connection's thread. A proxied subscription is asked about again
 * every channels.proxy.recheck_interval (jittered) and when its allow expires: a deny then ends it
 * with {@code unsubscribed} PERMISSION_DENIED; while the application cannot answer, it stays and is
 * asked again an interval later. A re-check timer holds its connection weakly, so a closed
 * connection is not kept for it. At most {@value #MAX_WAITING} asks of one connection wait at
 * once; more get RATE_LIMITED.
 */
final class ProxiedChannels {
    static final int MAX_WAITING = 16;
    /** The earliest a re-check follows the last one, however soon the allow expires. */
    private static final Duration SOONEST_RECHECK = Duration.ofMillis(50);

    /** Subscribes of one connection to one channel waiting for the application. Its connection's thread only. */
    private static final class Pending {
        int asks;
        /** The client unsubscribed meanwhile: the answers are not acted on. */
        boolean cancelled;
    }

    private final ChannelProxy proxy;
    private final Hub hub;
    private final Replies replies;
    private final Clock clock;
    private final Duration recheckInterval;
    /** Asks waiting for the application, per connection id; absent at zero. */
    private final ConcurrentHashMap<String, Integer> waiting = new ConcurrentHashMap<>();
    /** Subscribes waiting, per connection id and channel; absent when none waits. */
    private final ConcurrentHashMap<String, Pending> subscribing = new ConcurrentHashMap<>();

    ProxiedChannels(ChannelProxy proxy, Hub hub, Replies replies, Clock clock, Duration recheckInterval) {
        this.proxy = proxy;
        this.hub = hub;
        this.replies = replies;
        this.clock = clock;
        this.recheckInterval = recheckInterval;
    }

    /**
     * Runs {@code allowed} on {@code c}'s thread once the application allowed the subscribe
     * {@code id}, unless the client unsubscribed from the channel meanwhile (then the subscribe is
     * answered with an error, as it no longer stands); otherwise answers it with the refusal.
     */
    void whenSubscribeAllowed(
            ClientConnection c, ChannelName channel, JsonNode id, Consumer<SubscribeDecision> allowed) {
        String key = c.id() + '\n' + channel.value();
        Pending p = subscribing.computeIfAbsent(key, k -> new Pending());
        p.asks++;
        ask(
                c,
                channel,
                id,
                d -> {
                    if (!p.cancelled) {
                        allowed.accept(d);
                    } else {
                        c.send(replies.error(
                                RefusalCode.BAD_REQUEST.refusal("Unsubscribed from " + channel
                                        + " before the application answered; subscribe again if still wanted"),
                                id));
                    }
                },
                () -> {
                    if (--p.asks == 0) {
                        subscribing.remove(key, p);
                    }
                });
    }

    /** The client unsubscribed from {@code channel}: subscribes to it still waiting are dropped. */
    void unsubscribed(ClientConnection c, ChannelName channel) {
        Pending p = subscribing.get(c.id() + '\n' + channel.value());
        if (p != null) {
            p.cancelled = true;
        }
    }

    /** Runs {@code allowed} on {@code c}'s thread once the application allowed this user the channel (history, presence, a publish). */
    void whenAllowed(ClientConnection c, ChannelName channel, JsonNode id, Consumer<SubscribeDecision> allowed) {
        ask(c, channel, id, allowed, () -> {});
    }

    private void ask(
            ClientConnection c, ChannelName channel, JsonNode id, Consumer<SubscribeDecision> allowed, Runnable done) {
        if (!startWaiting(c, id)) {
            done.run();
            return;
        }
        proxy.subscribe(c.principal(), channel, c.id(), c.instanceId())
                .thenAccept(d -> c.execute(() -> {
                    stopWaiting(c);
                    done.run();
                    if (!c.isOpen()) {
                        return;
                    }
                    if (d.allowed()) {
                        allowed.accept(d);
                    } else {
                        c.send(replies.error(d.refusal(), id));
                    }
                }));
    }

    /** Runs {@code publish} on {@code c}'s thread with the data the application accepted; otherwise answers {@code id}. */
    void whenAccepted(ClientConnection c, ChannelName channel, String dataJson, JsonNode id, Consumer<String> publish) {
        if (!startWaiting(c, id)) {
            return;
        }
        proxy.publish(c.principal(), channel, c.id(), c.instanceId(), dataJson)
                .thenAccept((PublishDecision d) -> c.execute(() -> {
                    stopWaiting(c);
                    if (!c.isOpen()) {
                        return;
                    }
                    if (d.allowed()) {
                        publish.accept(d.dataJson());
                    } else {
                        c.send(replies.error(d.refusal(), id));
                    }
                }));
    }

    /** Starts the re-checks of {@code sub}, which the application allowed with {@code first}; once per subscription. */
    void watch(ClientConnection c, Subscription sub, SubscribeDecision first) {
        if (sub.claimRechecks()) {
            keepChecking(c, sub, first);
        }
    }

    /**
     * {@code sub} was allowed without the application (the admin role, the token's channels claim)
     * and its new credential no longer has that: the application is asked now, and from then on.
     */
    void askNow(ClientConnection c, Subscription sub) {
        if (sub.claimRechecks()) {
            recheck(c, sub);
        }
    }

    /** Asks about {@code sub} again when {@code last} expires or after the re-check interval, whichever is first. */
    private void keepChecking(ClientConnection c, Subscription sub, SubscribeDecision last) {
        long interval = recheckInterval.toMillis();
        long delay = interval - ThreadLocalRandom.current().nextLong(interval / 5 + 1);
        if (last.expiresAt() != null) { // within a year (ProxyAnswers): no overflow
            delay = Math.min(
                    delay, Duration.between(clock.instant(), last.expiresAt()).toMillis() + 1);
        }
        WeakReference<ClientConnection> connection = new WeakReference<>(c);
        WeakReference<Subscription> subscription = new WeakReference<>(sub);
        c.schedule(Duration.ofMillis(Math.max(delay, SOONEST_RECHECK.toMillis())), () -> {
            ClientConnection open = connection.get();
            Subscription still = subscription.get();
            if (open != null && still != null) {
                recheck(open, still);
            }
        });
    }

    private void recheck(ClientConnection c, Subscription sub) {
        String name = sub.channel().value();
        if (!c.isOpen() || hub.subscription(c, name) != sub) {
            return; // closed or unsubscribed meanwhile
        }
        proxy.subscribe(c.principal(), sub.channel(), c.id(), c.instanceId())
                .thenAccept(d -> c.execute(() -> {
                    if (!c.isOpen() || hub.subscription(c, name) != sub) {
                        return;
                    }
                    if (d.allowed()) {
                        keepChecking(c, sub, d);
                    } else if (d.refusal().code() == RefusalCode.BACKEND_UNAVAILABLE) {
                        keepChecking(c, sub, new SubscribeDecision(null, null, null));
                    } else if (hub.unsubscribe(c, name)) {
                        c.send(replies.unsubscribed(name, d.refusal()));
                    }
                }));
    }

    private boolean startWaiting(ClientConnection c, JsonNode id) {
        int now = waiting.merge(c.id(), 1, Integer::sum);
        if (now <= MAX_WAITING) {
            return true;
        }
        stopWaiting(c);
        c.send(replies.error(
                new Refusal(
                        RefusalCode.RATE_LIMITED,
                        MAX_WAITING + " requests of this connection wait for the application ("
                                + ConfigKey.CHANNELS_PROXY_URL.key() + "); wait for their answers"),
                id));
        return false;
    }

    private void stopWaiting(ClientConnection c) {
        waiting.computeIfPresent(c.id(), (k, n) -> n <= 1 ? null : n - 1);
    }
}
