package io.gatehouse.hub;

import io.gatehouse.broker.Broker;
import io.gatehouse.protocol.ChannelName;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's subscriptions by channel, and the broker subscription each channel's share: the node
 * is subscribed at the {@link Broker} while the channel has a local subscription. Thread-safe.
 *
 * <p>The broker is never called inside the map's {@code compute}. Inside it, a change only updates
 * the channel's {@link Entry} and, if the broker must hear of it and nobody is telling it yet, makes
 * the calling thread the one in charge. That thread then calls the broker after {@code compute},
 * and after each call looks again (in {@code compute}) until what the broker was told matches
 * whether the channel has subscriptions. One thread at a time per channel, each call decided
 * after the one before returned: the broker hears {@code subscribe, unsubscribe, subscribe, ...} in
 * turn, and a last unsubscribe racing a new first subscribe leaves it subscribed.
 */
final class ChannelSubscribers {
    private static final Logger LOG = LoggerFactory.getLogger(ChannelSubscribers.class);

    /** Subscriptions of a channel kept as an immutable set, at most. */
    static final int SMALL = 8;

    private final Broker broker;
    /** Channel value to its entry; an entry leaves once it has no subscription and the broker was told. */
    private final ConcurrentHashMap<String, Entry> byChannel = new ConcurrentHashMap<>();

    ChannelSubscribers(Broker broker) {
        this.broker = broker;
    }

    /** A channel's local subscriptions and what the broker was told about them. */
    private static final class Entry {
        final ChannelName channel;
        /**
         * Read by fan-out without the map's lock; changed only inside {@code compute} of the channel.
         * Up to {@value #SMALL} subscriptions an immutable set, replaced as a whole (a personal
         * channel's one subscription costs a few bytes, not a concurrent set); beyond, a concurrent
         * set changed in place, so that a channel of thousands is not copied at each subscribe.
         */
        volatile Set<Subscription> subscriptions = Set.of();

        /** Adds {@code s}; only inside {@code compute}. */
        void add(Subscription s) {
            Set<Subscription> now = subscriptions;
            if (now instanceof ConcurrentHashMap.KeySetView<?, ?>) {
                now.add(s);
            } else if (now.size() < SMALL) {
                Subscription[] more = now.toArray(new Subscription[now.size() + 1]);
                more[now.size()] = s;
                subscriptions = Set.of(more);
            } else {
                Set<Subscription> many = ConcurrentHashMap.newKeySet();
                many.addAll(now);
                many.add(s);
                subscriptions = many;
            }
        }

        /** Removes {@code s}, returning whether it was there; only inside {@code compute}. */
        boolean remove(Subscription s) {
            Set<Subscription> now = subscriptions;
            if (!now.contains(s)) {
                return false;
            }
            if (now instanceof ConcurrentHashMap.KeySetView<?, ?>) {
                now.remove(s);
            } else {
                subscriptions = Set.of(now.stream().filter(x -> x != s).toArray(Subscription[]::new));
            }
            return true;
        }
        /** The last broker call, made or being made, was subscribe. Only inside {@code compute}. */
        boolean atBroker;
        /** A thread is in charge of the channel's broker calls. Only inside {@code compute}. */
        boolean calling;
        /**
         * Completes once the broker subscription that subscriptions added now rely on is in effect:
         * the current one, or after an unsubscribe, the next. Only inside {@code compute}.
         */
        CompletableFuture<Void> ready = new CompletableFuture<>();
        /**
         * The broker refused the subscribe that {@link #ready} stood for. The subscriptions relying on
         * it fail; the next one added asks the broker again. Only inside {@code compute}.
         */
        boolean failed;

        Entry(ChannelName channel) {
            this.channel = channel;
        }

        /** Whether the broker must hear of a change, and nobody is telling it yet; then the caller is. */
        boolean takeCharge() {
            if (calling || subscriptions.isEmpty() != atBroker) {
                return false;
            }
            calling = true;
            return true;
        }
    }

    /** The broker call a thread in charge makes next, decided inside {@code compute}. */
    private record Call(boolean subscribe, CompletableFuture<Void> ready) {}

    /**
     * A new, starting subscription of {@code c} to {@code channel}; the caller checked that
     * {@code c} has none. Its {@link Subscription#brokerReady()} completes once this node receives
     * the channel's publications.
     */
    Subscription add(Connection c, ChannelName channel) {
        Subscription[] created = new Subscription[1];
        boolean[] inCharge = new boolean[1];
        Entry entry = byChannel.compute(channel.value(), (k, e) -> {
            Entry here = e == null ? new Entry(channel) : e;
            if (here.failed && !here.calling) {
                // Not a retry loop: a new subscription asks the broker once more.
                here.failed = false;
                here.atBroker = false;
                here.ready = new CompletableFuture<>();
            }
            created[0] = new Subscription(c, channel, here.ready);
            here.add(created[0]);
            inCharge[0] = here.takeCharge();
            return here;
        });
        if (inCharge[0]) {
            tellBroker(entry);
        }
        return created[0];
    }

    /** Forgets {@code s}; the broker subscription ends with the channel's last one. */
    void remove(Subscription s) {
        boolean[] inCharge = new boolean[1];
        Entry entry = byChannel.computeIfPresent(s.channel().value(), (k, e) -> {
            if (e.remove(s)) {
                inCharge[0] = e.takeCharge();
            }
            return e;
        });
        if (inCharge[0]) {
            tellBroker(entry);
        }
    }

    /** Run by the thread in charge of {@code entry}, outside {@code compute}: calls until the broker is up to date. */
    private void tellBroker(Entry entry) {
        while (true) {
            Call call = nextCall(entry);
            if (call == null) {
                return;
            }
            if (call.subscribe()) {
                CompletionStage<Void> done;
                try {
                    done = broker.subscribe(entry.channel);
                } catch (RuntimeException e) {
                    done = CompletableFuture.failedFuture(e);
                }
                done.whenComplete((v, failure) -> {
                    if (failure != null) {
                        byChannel.computeIfPresent(entry.channel.value(), (k, e) -> {
                            e.failed |= e.ready == call.ready();
                            return e;
                        });
                        call.ready().completeExceptionally(failure);
                    } else {
                        call.ready().complete(null);
                    }
                });
            } else {
                try {
                    broker.unsubscribe(entry.channel);
                } catch (RuntimeException e) {
                    LOG.warn("Broker unsubscribe from {} failed", entry.channel.value(), e);
                }
            }
        }
    }

    /**
     * What the broker must hear next about {@code entry}, or null when it is up to date: then the
     * caller is no longer in charge, and an entry without subscriptions leaves the map.
     */
    private Call nextCall(Entry entry) {
        Call[] next = new Call[1];
        byChannel.compute(entry.channel.value(), (k, e) -> {
            // e is entry: it stays in the map while its thread in charge is calling.
            boolean wanted = !e.subscriptions.isEmpty();
            if (wanted == e.atBroker) {
                e.calling = false;
                return wanted ? e : null;
            }
            e.atBroker = wanted;
            next[0] = new Call(wanted, e.ready);
            if (!wanted) {
                // Subscriptions added from now on rely on the next subscribe, not on this one.
                e.ready = new CompletableFuture<>();
            }
            return e;
        });
        return next[0];
    }

    /** The subscriptions of {@code channel} now (a live, weakly consistent view), for fan-out. */
    Set<Subscription> of(String channel) {
        Entry entry = byChannel.get(channel);
        return entry == null ? Set.of() : entry.subscriptions;
    }

    /** The channel whose name is {@code value} while it has an entry here, or null. */
    ChannelName channel(String value) {
        Entry entry = byChannel.get(value);
        return entry == null ? null : entry.channel;
    }

    /** Channel name to its number of local subscriptions, sorted by name; channels without one left out. */
    Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        byChannel.forEach((channel, entry) -> {
            int n = entry.subscriptions.size();
            if (n > 0) {
                out.put(channel, n);
            }
        });
        return out;
    }
}
