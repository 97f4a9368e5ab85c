package io.gatehouse.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.client.ClientListener;
import io.gatehouse.client.ClientOptions;
import io.gatehouse.client.ConnectionLostException;
import io.gatehouse.client.ConnectionState;
import io.gatehouse.client.CredentialCarrier;
import io.gatehouse.client.StateChange;
import io.gatehouse.client.SubscriptionListener;
import io.gatehouse.protocol.BadMessageException;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.ClientAction;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.ServerMessage;
import io.gatehouse.protocol.ServerMessage.ConnectionEstablished;
import io.gatehouse.protocol.ServerMessage.Subscribed;
import io.gatehouse.protocol.WireCodec;
import java.lang.System.Logger.Level;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The client's state machine, behind {@link io.gatehouse.client.GatehouseClient}: connects, reads
 * every close by its client action, reconnects, resubscribes and matches replies to requests.
 * Everything it owns is touched only by its one thread (the "client thread"), which also calls
 * every listener; the public methods hand their work to that thread. Not API.
 */
public final class ClientEngine implements Link.Events {
    private final ClientOptions options;
    private final ClientListener listener;
    private final String instanceId;
    private final WireCodec codec = new WireCodec();
    private final HttpClient http;
    private final ClientThread thread = new ClientThread();

    private final ReconnectPolicy policy;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();

    // Client thread only.
    private final Subscriptions subscriptions = new Subscriptions();
    private final Requests requests = new Requests(codec);
    private final Credential credential;
    private final InBandRefresh refresh;
    private Link link;
    private Refusal stoppedBy;
    private ScheduledFuture<?> timer;
    /** Counts connects, so that a token arriving for an abandoned one is recognised. */
    private int attempt;

    // Written by the client thread, read by any.
    private volatile ConnectionState state = ConnectionState.CONNECTING;
    private volatile ConnectionEstablished established;
    private volatile Instant expiresAt;

    public ClientEngine(ClientOptions options, String instanceId, Backoff backoff) {
        this.options = options;
        this.listener = options.listener();
        this.instanceId = instanceId;
        this.policy = new ReconnectPolicy(backoff);
        this.credential = new Credential(options.tokenProvider());
        this.refresh = new InBandRefresh(credential, thread, requests);
        this.http = HttpClient.newBuilder()
                .connectTimeout(options.handshakeTimeout())
                .build();
    }

    public void start() {
        thread.execute(this::connect);
    }

    public ConnectionState state() {
        return state;
    }

    public ConnectionEstablished established() {
        return established;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    public String instanceId() {
        return instanceId;
    }

    // ---- requests

    public CompletableFuture<Subscribed> subscribe(ChannelName channel, SubscriptionListener subscriber) {
        CompletableFuture<Subscribed> reply = new CompletableFuture<>();
        thread.post(
                () -> {
                    Subscription s =
                            state == ConnectionState.CLOSED ? null : subscriptions.add(channel, subscriber, reply);
                    if (s == null) {
                        reply.completeExceptionally(
                                state == ConnectionState.CLOSED
                                        ? clientClosed()
                                        : new IllegalStateException("Already subscribed to " + channel));
                    } else if (state == ConnectionState.CONNECTED) {
                        sendSubscribe(s);
                    }
                },
                () -> reply.completeExceptionally(clientClosed()));
        return reply;
    }

    public CompletableFuture<Void> unsubscribe(ChannelName channel) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.post(
                () -> {
                    if (!subscriptions.remove(channel) || state != ConnectionState.CONNECTED) {
                        done.complete(null); // nothing on the server to undo
                        return;
                    }
                    CompletableFuture<Void> reply = new CompletableFuture<>();
                    requests.send(
                            link,
                            id -> new ClientMessage.Unsubscribe(id, channel),
                            Requests.future(ServerMessage.Unsubscribed.class, u -> null, reply));
                    // A subscription also ends with its connection.
                    reply.whenComplete((v, e) -> done.complete(null));
                },
                () -> done.complete(null));
        return done;
    }

    /**
     * Sends {@code message} (given the id to carry) now or, while disconnected, once connected; the
     * future completes with the reply of type {@code reply}, mapped.
     */
    public <M extends ServerMessage, T> CompletableFuture<T> request(
            Function<JsonNode, ClientMessage> message, Class<M> reply, Function<M, T> map) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Requests.Waiter waiter = Requests.future(reply, map, result);
        thread.post(
                () -> {
                    switch (state) {
                        case CONNECTED -> requests.send(link, message, waiter);
                        case STOPPED -> waiter.lost(new ConnectionLostException("The client has stopped", stoppedBy));
                        case CLOSED -> waiter.lost(clientClosed());
                        default -> requests.queue(message, waiter);
                    }
                },
                () -> waiter.lost(clientClosed()));
        return result;
    }

    private void sendSubscribe(Subscription s) {
        Requests.Waiter waiter = subscriptions.replyTo(s, link);
        requests.send(link, id -> new ClientMessage.Subscribe(id, s.channel, s.since()), waiter);
    }

    // ---- the connection's life

    private void connect() {
        ClientThread.cancel(timer);
        int current = ++attempt;
        change(ConnectionState.CONNECTING, 0, null, Duration.ZERO);
        credential
                .forConnect()
                .whenComplete((t, failure) -> thread.execute(() -> {
                    if (current == attempt && state == ConnectionState.CONNECTING) {
                        open(t, failure);
                    }
                }));
    }

    private void open(String newToken, Throwable failure) {
        if (failure != null) {
            // The provider's message is the application's; it may quote a token, so only its type.
            Callbacks.LOG.log(Level.WARNING, "The token provider failed ({0}); retrying", kind(failure));
            decide(0, null);
            return;
        }
        if (newToken == null || newToken.isBlank()) {
            stop(0, RefusalCode.TOKEN_MISSING.refusal("The token provider has no token; log the user in"), true);
            return;
        }
        credential.use(newToken);
        Link l = new Link(
                thread, this, new TokenBucket(options.outboundPerSecond(), options.outboundBurst(), System.nanoTime()));
        link = l;
        timer = thread.schedule(
                () -> {
                    if (link == l && state == ConnectionState.CONNECTING) {
                        Callbacks.LOG.log(Level.DEBUG, "No connection_established in time; reconnecting");
                        ended(l, Link.ABNORMAL_CLOSURE, null);
                    }
                },
                options.handshakeTimeout().toMillis());
        Upgrade.open(http, options.url(), options.carrier(), newToken, instanceId, options.handshakeTimeout(), l)
                .whenComplete((ws, upgradeFailure) -> {
                    if (upgradeFailure != null) {
                        thread.execute(() -> {
                            if (link == l) {
                                ended(l, Link.ABNORMAL_CLOSURE, Upgrade.refusalOf(upgradeFailure));
                            }
                        });
                    }
                });
    }

    @Override
    public void opened(Link l) {
        if (link != l) {
            l.abort();
        } else if (options.carrier() == CredentialCarrier.AUTH_MESSAGE) {
            l.send(codec.write(new ClientMessage.Auth(null, credential.current(), instanceId)));
        }
    }

    @Override
    public void text(Link l, String text) {
        if (link != l) {
            return;
        }
        ServerMessage message;
        try {
            message = codec.readServer(text);
        } catch (BadMessageException e) {
            // A message type or field this version does not know: a newer server's.
            Callbacks.LOG.log(Level.DEBUG, "Ignoring a server message: {0}", e.getMessage());
            return;
        }
        dispatch(message);
    }

    @Override
    public void closed(Link l, int code, String reason) {
        if (link == l) {
            ended(l, code, Refusal.fromCloseReason(reason).orElse(null));
        }
    }

    private void dispatch(ServerMessage message) {
        if (message instanceof ConnectionEstablished e) {
            onEstablished(e);
        } else if (message instanceof ServerMessage.Message m) {
            Publication p = m.publication();
            if (!subscriptions.publication(p, link)
                    && established != null
                    && p.channel().equals("#" + established.user().id())) {
                Callbacks.call("onPersonalMessage", () -> listener.onPersonalMessage(p));
            }
        } else if (message instanceof ServerMessage.Unsubscribed u && u.id() == null && u.code() != null) {
            subscriptions.ended(u.channel(), new Refusal(u.code(), u.message()));
        } else if (message instanceof ServerMessage.TokenExpiring) {
            refresh.start(link, l -> link == l && state == ConnectionState.CONNECTED);
        } else if (message instanceof ServerMessage.Join j) {
            subscriptions.presence(j.channel(), j.client(), true);
        } else if (message instanceof ServerMessage.Leave left) {
            subscriptions.presence(left.channel(), left.client(), false);
        } else {
            if (message instanceof ServerMessage.Refreshed r) {
                expiresAt = r.expiresAt();
            }
            requests.deliver(message);
        }
    }

    private void onEstablished(ConnectionEstablished e) {
        if (state != ConnectionState.CONNECTING) {
            return;
        }
        ClientThread.cancel(timer);
        established = e;
        expiresAt = e.expiresAt();
        policy.onConnected();
        Link l = link;
        l.watch(thread, e.heartbeatIntervalMillis(), () -> {
            if (link == l) {
                Callbacks.LOG.log(Level.DEBUG, "No traffic for two heartbeat intervals; reconnecting");
                ended(l, Link.ABNORMAL_CLOSURE, null);
            }
        });
        change(ConnectionState.CONNECTED, 0, null, Duration.ZERO);
        Callbacks.call("onConnected", () -> listener.onConnected(e));
        subscriptions.all().forEach(this::sendSubscribe);
        requests.flush(link);
    }

    /** The current link is over, however it ended: what to do next is the refusal's client action. */
    private void ended(Link l, int code, Refusal refusal) {
        Callbacks.LOG.log(
                Level.DEBUG,
                "Connection ended: {0} {1}",
                code,
                refusal == null ? "(no refusal)" : refusal.closeReason());
        if (code == Link.ABNORMAL_CLOSURE) {
            l.abort();
        } else {
            l.finish();
        }
        link = null;
        established = null;
        ClientThread.cancel(timer);
        requests.loseAll(new ConnectionLostException("The connection closed before the reply", refusal));
        decide(code, refusal);
    }

    private void decide(int code, Refusal refusal) {
        ReconnectPolicy.Decision d = policy.onClose(refusal);
        ClientAction action = d.action();
        if (action == ClientAction.LOG_IN || action == ClientAction.STOP) {
            stop(code, refusal, action == ClientAction.LOG_IN);
            return;
        }
        if (action == ClientAction.REFRESH_THEN_RETRY) {
            credential.expired();
        }
        change(ConnectionState.RECONNECT_SCHEDULED, code, refusal, d.delay());
        timer = thread.schedule(
                () -> {
                    if (state == ConnectionState.RECONNECT_SCHEDULED) {
                        connect();
                    }
                },
                d.delay().toMillis());
    }

    private void stop(int code, Refusal refusal, boolean authError) {
        stoppedBy = refusal;
        change(ConnectionState.STOPPED, code, refusal, Duration.ZERO);
        ConnectionLostException e = new ConnectionLostException("The client has stopped", refusal);
        requests.dropQueued(e);
        if (authError) {
            Callbacks.call("onAuthError", () -> listener.onAuthError(refusal));
        } else {
            Callbacks.call("onStopped", () -> listener.onStopped(refusal));
        }
    }

    /** Connect now if stopped or waiting to reconnect, with a fresh backoff. */
    public void reconnect() {
        thread.execute(() -> {
            if (state == ConnectionState.STOPPED || state == ConnectionState.RECONNECT_SCHEDULED) {
                policy.onRestart();
                connect();
            }
        });
    }

    /** Closes the connection and stops the client thread; waits for that unless called on it. */
    public void close() {
        thread.post(this::shutDown, () -> {});
        if (!ClientThread.isCurrent()) {
            closed.orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null).join();
        }
    }

    private void shutDown() {
        if (state == ConnectionState.CLOSED) {
            return;
        }
        attempt++;
        ClientThread.cancel(timer);
        if (link != null) {
            link.close();
            link = null;
        }
        established = null;
        ConnectionLostException e = clientClosed();
        requests.loseAll(e);
        requests.dropQueued(e);
        subscriptions.clear(e);
        change(ConnectionState.CLOSED, 0, null, Duration.ZERO);
        thread.shutdown();
        closed.complete(null);
    }

    private void change(ConnectionState next, int code, Refusal refusal, Duration delay) {
        state = next;
        StateChange change = new StateChange(next, code, refusal, delay);
        Callbacks.LOG.log(Level.DEBUG, "{0}", change);
        Callbacks.call("onStateChange", () -> listener.onStateChange(change));
    }

    private static ConnectionLostException clientClosed() {
        return new ConnectionLostException("The client was closed", null);
    }

    private static String kind(Throwable t) {
        return Upgrade.unwrap(t).getClass().getName();
    }
}
