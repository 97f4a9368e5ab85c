package io.gatehouse.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.gatehouse.client.ConnectionLostException;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.WireCodec;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Requests on their way: queued while there is no connection, then sent on one and waiting for
 * their reply by the {@code id} the client gave them (a number counting up per client). Not
 * thread-safe (the client thread owns it).
 */
final class Requests {
    /** Someone waiting for the reply with one id. */
    interface Waiter {
        void reply(ServerMessage message);

        /** The server answered {@code error}. */
        void refused(Refusal refusal);

        /** The connection ended first. */
        void lost(ConnectionLostException e);
    }

    /** A request waiting for a connection to be sent on. */
    private record Queued(Function<JsonNode, ClientMessage> message, Waiter waiter) {}

    private final WireCodec codec;
    private final Map<Long, Waiter> waiting = new HashMap<>();
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    private long nextId;

    Requests(WireCodec codec) {
        this.codec = codec;
    }

    /** Keeps {@code message} (given its id) until {@link #flush}. */
    void queue(Function<JsonNode, ClientMessage> message, Waiter waiter) {
        queued.add(new Queued(message, waiter));
    }

    /** Sends what was queued, in order. */
    void flush(Link link) {
        while (!queued.isEmpty()) {
            Queued q = queued.poll();
            send(link, q.message(), q.waiter());
        }
    }

    /** The client stopped or closed: nothing queued will be sent. */
    void dropQueued(ConnectionLostException e) {
        while (!queued.isEmpty()) {
            queued.poll().waiter().lost(e);
        }
    }

    /** Sends {@code message} with the next id on {@code link}; {@code waiter} hears the reply. */
    void send(Link link, Function<JsonNode, ClientMessage> message, Waiter waiter) {
        long id = ++nextId;
        waiting.put(id, waiter);
        if (!link.send(codec.write(message.apply(LongNode.valueOf(id))))) {
            waiting.remove(id);
            waiter.lost(new ConnectionLostException("The outbound queue is full; the request was not sent", null));
        }
    }

    /** Hands a reply to whoever waits for its id; false when nobody does. */
    boolean deliver(ServerMessage message) {
        JsonNode id = idOf(message);
        Waiter w = id != null && id.canConvertToLong() ? waiting.remove(id.asLong()) : null;
        if (w == null) {
            return false;
        }
        if (message instanceof ServerMessage.Error e) {
            w.refused(new Refusal(e.code(), e.message()));
        } else {
            w.reply(message);
        }
        return true;
    }

    /** The {@code id} a reply carries (null for messages that are not replies). */
    private static JsonNode idOf(ServerMessage m) {
        if (m instanceof ServerMessage.Pong p) {
            return p.id();
        } else if (m instanceof ServerMessage.Subscribed s) {
            return s.id();
        } else if (m instanceof ServerMessage.Unsubscribed u) {
            return u.id();
        } else if (m instanceof ServerMessage.Published p) {
            return p.id();
        } else if (m instanceof ServerMessage.Refreshed r) {
            return r.id();
        } else if (m instanceof ServerMessage.Presence p) {
            return p.id();
        } else if (m instanceof ServerMessage.History h) {
            return h.id();
        } else if (m instanceof ServerMessage.Error e) {
            return e.id();
        }
        return null;
    }

    /** The connection ended: every waiter hears so. */
    void loseAll(ConnectionLostException e) {
        List<Waiter> all = new ArrayList<>(waiting.values());
        waiting.clear();
        all.forEach(w -> w.lost(e));
    }

    /**
     * A waiter that completes {@code future} with the reply of type {@code type}, mapped, fails it
     * with a {@link RefusalException} on {@code error}, and with the {@link ConnectionLostException}
     * when the connection ends.
     */
    static <M extends ServerMessage, T> Waiter future(Class<M> type, Function<M, T> map, CompletableFuture<T> future) {
        return new Waiter() {
            @Override
            public void reply(ServerMessage message) {
                if (type.isInstance(message)) {
                    future.complete(map.apply(type.cast(message)));
                } else {
                    future.completeExceptionally(new IllegalStateException(
                            "Expected " + type.getSimpleName() + ", the server answered " + message.type()));
                }
            }

            @Override
            public void refused(Refusal refusal) {
                future.completeExceptionally(refusal.asException());
            }

            @Override
            public void lost(ConnectionLostException e) {
                future.completeExceptionally(e);
            }
        };
    }
}
