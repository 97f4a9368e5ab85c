package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.broker.Broker;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.Recovery;
import io.gatehouse.hub.Hub;
import io.gatehouse.hub.Subscription;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.metrics.GatehouseMetrics;
import io.gatehouse.permissions.ChannelAccess;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.StreamPosition;
import io.gatehouse.proxy.ChannelProxy;
import io.gatehouse.proxy.SubscribeDecision;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What a client connection asks about channels (SPEC §4, §5): {@code subscribe} (with recovery),
 * {@code unsubscribe}, {@code publish}, {@code history} and {@code presence}, each checked against
 * {@link ChannelAccess} first and, in {@code subscribe: proxy} / {@code publish: proxy} namespaces,
 * by the application ({@link ProxiedChannels}); plus the implicit subscription to the user's
 * personal channel, the subscriptions the server API makes and ends, and the end of subscriptions
 * a refreshed credential no longer grants. Shared by every connection of
 * the node; each call runs on the calling connection's thread, and answers arriving from the broker
 * go back to it.
 */
public record ChannelCommands(
        Hub hub,
        Broker broker,
        ChannelAccess access,
        RequestLimits limits,
        GatehouseMetrics metrics,
        Replies replies,
        ProxiedChannels proxied) {
    /**
     * @param proxy asks the application about {@code subscribe: proxy} and {@code publish: proxy}
     *     namespaces; null when channels.proxy.url is empty (no namespace then uses it)
     * @param recheckInterval channels.proxy.recheck_interval
     */
    public ChannelCommands(
            Hub hub,
            Broker broker,
            ChannelAccess access,
            RequestLimits limits,
            GatehouseMetrics metrics,
            Replies replies,
            ChannelProxy proxy,
            Clock clock,
            Duration recheckInterval) {
        this(
                hub,
                broker,
                access,
                limits,
                metrics,
                replies,
                proxy == null ? null : new ProxiedChannels(proxy, hub, replies, clock, recheckInterval));
    }

    /** The personal channel, refused while the broker is unreachable, is asked again after this, doubling. */
    static final Duration PERSONAL_FIRST_RETRY = Duration.ofSeconds(1);

    static final Duration PERSONAL_LAST_RETRY = Duration.ofSeconds(10);

    void subscribe(ClientConnection c, ClientMessage.Subscribe m) {
        if (refused(c, access.checkSubscribe(c.principal(), m.channel()), m.id())) {
            return;
        }
        if (access.subscribeAsksApplication(c.principal(), m.channel())) {
            proxied.whenSubscribeAllowed(c, m.channel(), m.id(), decision -> subscribeAllowed(c, m, decision));
        } else {
            subscribeAllowed(c, m, null);
        }
    }

    /** A subscribe its namespace (and the application, when {@code decision} is not null) allowed. */
    private void subscribeAllowed(ClientConnection c, ClientMessage.Subscribe m, SubscribeDecision decision) {
        ChannelName channel = m.channel();
        StreamPosition since = m.since();
        Subscription existing = hub.subscription(c, channel.value());
        if (existing != null) {
            if (c.personal().claim(channel)) {
                recoverPersonal(c, existing, since, m.id());
            } else {
                c.send(replies.error(RefusalCode.BAD_REQUEST.refusal("Already subscribed to " + channel), m.id()));
            }
            return;
        }
        if (hub.subscriptionCount(c) >= limits.subscriptionsPerConnection()) {
            // Presence entries come with subscriptions, so this bounds them too.
            limits.limited(ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION);
            c.send(replies.error(
                    RefusalCode.TOO_MANY_SUBSCRIPTIONS.refusal(
                            "This connection has "
                                    + limits.subscriptionsPerConnection()
                                    + " subscriptions (limits.subscriptions_per_connection); unsubscribe from channels it no longer needs"),
                    m.id()));
            return;
        }
        Subscription sub = hub.subscribe(c, channel);
        start(
                c,
                sub,
                since,
                recovery -> {
                    c.send(replies.subscribed(
                            m.id(), channel, recovery, decision == null ? null : decision.dataJson()));
                    if (decision != null) {
                        proxied.watch(c, sub, decision);
                    }
                },
                refusal -> c.send(replies.error(refusal, m.id())));
    }

    /** Subscribes a connection that just opened to its user's personal channel, if the user id has one. */
    void subscribePersonal(ClientConnection c) {
        subscribePersonal(c, PERSONAL_FIRST_RETRY);
    }

    /**
     * The personal channel, which the client did not ask for: while the broker cannot be reached
     * (BACKEND_UNAVAILABLE) it is asked again after {@code retry}, doubling up to
     * {@link #PERSONAL_LAST_RETRY}, as long as the connection is open and neither a subscribe nor an
     * unsubscribe named the channel; any other refusal is sent as an error without id.
     */
    private void subscribePersonal(ClientConnection c, Duration retry) {
        ChannelName personal = c.personal().channel();
        if (personal == null) {
            return;
        }
        start(c, hub.subscribe(c, personal), null, recovery -> {}, refusal -> {
            if (refusal.code() != RefusalCode.BACKEND_UNAVAILABLE) {
                c.send(replies.error(refusal, null));
                return;
            }
            Duration next = retry.multipliedBy(2);
            c.schedule(retry, () -> {
                if (c.isOpen() && !c.personal().named() && hub.subscription(c, personal.value()) == null) {
                    subscribePersonal(c, next.compareTo(PERSONAL_LAST_RETRY) > 0 ? PERSONAL_LAST_RETRY : next);
                }
            });
        });
    }

    void unsubscribe(ClientConnection c, ClientMessage.Unsubscribe m) {
        ChannelName channel = m.channel();
        hub.unsubscribe(c, channel.value());
        if (proxied != null) {
            proxied.unsubscribed(c, channel); // a subscribe still waiting for the application is dropped
        }
        c.personal().released(channel);
        c.send(replies.unsubscribed(m.id(), channel));
    }

    /** {@code history} {channel, since?, limit?}: kept publications, oldest first. */
    void history(ClientConnection c, ClientMessage.History m) {
        if (refused(c, access.checkSubscribe(c.principal(), m.channel()), m.id())) {
            return;
        }
        whenAllowed(c, m.channel(), m.id(), () -> readHistory(c, m));
    }

    private void readHistory(ClientConnection c, ClientMessage.History m) {
        ChannelName channel = m.channel();
        StreamPosition since = m.since();
        int limit = m.limit();
        broker.history(channel, since == null ? HistoryQuery.newest(limit) : HistoryQuery.after(since.offset(), limit))
                .thenCompose(page -> since == null || page.position().epoch().equals(since.epoch())
                        ? CompletableFuture.completedFuture(page)
                        // offsets of another epoch mean nothing now: read from the oldest kept one
                        : broker.history(channel, HistoryQuery.after(0, limit)))
                .whenComplete(replyOnceRead(c, m.id(), page -> replies.history(m.id(), channel, page)));
    }

    /** {@code presence} {channel}: who is subscribed, where the namespace keeps presence. */
    void presence(ClientConnection c, ClientMessage.Presence m) {
        ChannelName channel = m.channel();
        Refusal denied = access.checkSubscribe(c.principal(), channel);
        if (refused(c, denied != null ? denied : access.checkPresence(channel), m.id())) {
            return;
        }
        whenAllowed(
                c,
                channel,
                m.id(),
                () -> broker.presence(channel)
                        .whenComplete(replyOnceRead(c, m.id(), clients -> replies.presence(m.id(), channel, clients))));
    }

    /**
     * Runs {@code read} at once, or, in a {@code subscribe: proxy} namespace, once the application
     * allowed this user the channel: history and presence follow the subscribe decision.
     */
    private void whenAllowed(ClientConnection c, ChannelName channel, JsonNode id, Runnable read) {
        if (access.subscribeAsksApplication(c.principal(), channel)) {
            proxied.whenAllowed(c, channel, id, decision -> read.run());
        } else {
            read.run();
        }
    }

    /** Sends {@code denied} as the error reply to request {@code id}; false, sending nothing, when it is null. */
    private boolean refused(ClientConnection c, Refusal denied, JsonNode id) {
        if (denied == null) {
            return false;
        }
        c.send(replies.error(denied, id));
        return true;
    }

    /**
     * Sends {@code c}, on its thread, the reply {@code reply} makes of what the broker read, or the
     * refusal the read failed with (BACKEND_UNAVAILABLE while the broker cannot be reached;
     * INTERNAL_ERROR for anything else) for request {@code id}.
     */
    private <T> BiConsumer<T, Throwable> replyOnceRead(
            ClientConnection c, JsonNode id, Function<T, EncodedMessage> reply) {
        return (read, failure) -> c.execute(() ->
                c.send(failure != null ? replies.error(RefusalException.refusalOf(failure), id) : reply.apply(read)));
    }

    void publish(ClientConnection c, ClientMessage.Publish m) {
        ChannelName channel = m.channel();
        String data = m.data().toString();
        if (refused(c, access.checkClientPublish(c.principal(), channel), m.id())) {
            return;
        }
        if (access.publishAsksApplication(channel)) {
            proxied.whenAccepted(c, channel, data, m.id(), accepted -> publish(c, channel, accepted, m.id()));
        } else if (access.subscribeAsksApplication(c.principal(), channel)) {
            // publish: authenticated needs the right to subscribe, which here the application gives
            proxied.whenAllowed(c, channel, m.id(), allowed -> publish(c, channel, data, m.id()));
        } else {
            publish(c, channel, data, m.id());
        }
    }

    private void publish(ClientConnection c, ChannelName channel, String data, JsonNode id) {
        broker.publish(channel, data)
                .whenComplete((publication, failure) -> c.execute(() -> c.send(
                        failure != null
                                ? replies.error(RefusalException.refusalOf(failure), id)
                                : replies.published(id, publication))));
    }

    /**
     * The server API subscribed the connection's user to {@code channel} (the client gets
     * {@code subscribed} without an id; nothing if it already was) or unsubscribed it (the client
     * gets {@code unsubscribed} with PERMISSION_DENIED; the hub has every node forget the
     * application's cached decision for the pair, so that a new subscribe asks again).
     */
    void byServer(ClientConnection c, ChannelName channel, boolean subscribe) {
        if (!c.isOpen()) {
            return;
        }
        if (!subscribe) {
            if (hub.unsubscribe(c, channel.value())) {
                c.personal().released(channel);
                c.send(replies.unsubscribed(
                        channel.value(),
                        RefusalCode.PERMISSION_DENIED.refusal("The application ended this subscription")));
            }
            return;
        }
        if (hub.subscription(c, channel.value()) != null) {
            return;
        }
        if (hub.subscriptionCount(c) >= limits.subscriptionsPerConnection()) {
            limits.limited(ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION);
            c.send(replies.error(
                    RefusalCode.TOO_MANY_SUBSCRIPTIONS.refusal("The application subscribed this connection to "
                            + channel + ", past " + limits.subscriptionsPerConnection()
                            + " subscriptions (limits.subscriptions_per_connection)"),
                    null));
            return;
        }
        start(
                c,
                hub.subscribe(c, channel),
                null,
                recovery -> c.send(replies.subscribed(null, channel, recovery)),
                refusal -> c.send(replies.error(refusal, null)));
    }

    /**
     * After a refresh: ends each subscription the connection's new credential no longer grants (its
     * claims, roles or channels list), telling the client {@code unsubscribed} with the refusal's code.
     */
    void endUngranted(ClientConnection c) {
        for (String name : hub.channelsOf(c)) {
            Subscription sub = hub.subscription(c, name);
            if (sub == null) {
                continue;
            }
            Refusal denied = access.checkSubscribe(c.principal(), sub.channel());
            if (denied != null && hub.unsubscribe(c, name)) {
                c.send(replies.unsubscribed(name, denied));
            } else if (denied == null && access.subscribeAsksApplication(c.principal(), sub.channel())) {
                proxied.askNow(c, sub); // the role or claim that spared the application is gone
            }
        }
    }

    /**
     * Reads history (or only the position, without {@code since}) once the broker delivers the
     * channel here, then takes {@code sub} live; {@code announce} sends the reply, {@code refused}
     * the refusal when the broker failed (the subscription is then ended).
     */
    private void start(
            ClientConnection c,
            Subscription sub,
            StreamPosition since,
            Consumer<Recovery> announce,
            Consumer<Refusal> refused) {
        ChannelName channel = sub.channel();
        sub.brokerReady()
                .thenCompose(ready -> since == null
                        ? broker.position(channel).thenApply(now -> new HistoryPage(List.of(), now))
                        : broker.history(channel, HistoryQuery.after(since.offset())))
                .whenComplete((page, failure) -> c.execute(() -> {
                    if (!c.isOpen() || hub.subscription(c, channel.value()) != sub) {
                        return; // closed or unsubscribed meanwhile
                    }
                    if (failure != null) {
                        // BACKEND_UNAVAILABLE while the broker cannot be reached: the connection stays.
                        hub.unsubscribe(c, channel.value());
                        refused.accept(RefusalException.refusalOf(failure));
                        return;
                    }
                    hub.start(sub, since, page, announce);
                }));
    }

    /**
     * The personal channel is subscribed from connect on; an explicit subscribe to it recovers what
     * was missed before that: history after {@code since} up to where the subscription went live.
     */
    private void recoverPersonal(ClientConnection c, Subscription sub, StreamPosition since, JsonNode id) {
        ChannelName channel = sub.channel();
        sub.started()
                .thenCompose(liveFrom -> since == null
                        ? CompletableFuture.completedFuture(new HistoryPage(List.of(), liveFrom))
                        : missedBefore(channel, since, liveFrom))
                .whenComplete((page, failure) -> c.execute(() -> {
                    if (!c.isOpen()) {
                        return;
                    }
                    if (failure != null) {
                        c.send(replies.error(RefusalException.refusalOf(failure), id));
                        return;
                    }
                    Recovery recovery = Recovery.of(since, page, List.of());
                    if (since != null) {
                        metrics.recovery(recovery.recovered());
                    }
                    c.send(replies.subscribed(id, channel, recovery));
                }));
    }

    /** History after {@code since} up to {@code liveFrom}, where live delivery took over; none across epochs. */
    private CompletionStage<HistoryPage> missedBefore(
            ChannelName channel, StreamPosition since, StreamPosition liveFrom) {
        return broker.history(channel, HistoryQuery.after(since.offset()))
                .thenApply(page -> page.position().epoch().equals(liveFrom.epoch())
                        ? new HistoryPage(
                                page.publications().stream()
                                        .filter(p -> p.offset() <= liveFrom.offset())
                                        .toList(),
                                liveFrom)
                        : new HistoryPage(List.of(), liveFrom));
    }
}
