package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.accesslog.UpgradeAttempt;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.Verdict;
import io.gatehouse.cluster.SharedLimits.Count;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.ConnectionIds;
import io.gatehouse.limits.TokenBucket;
import io.gatehouse.protocol.BadMessageException;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.InstanceId;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Future;

/**
 * One client's side of the message protocol (SPEC §4): the connection's state (awaiting
 * {@code auth}, verifying, open, closed), its principal, and the dispatch of each client message.
 * The work is elsewhere: {@link ChannelCommands}, {@link CredentialLifetime} (expiry, refresh),
 * {@link DuplicateConnections}, {@link Replies} (frames), {@link UpgradeAttempt} (access log). Knows
 * nothing of Netty: it talks through {@link Transport}. Only {@link Connection}'s methods run off its thread.
 */
public final class ClientConnection implements Connection {
    private enum State {
        AWAITING_AUTH,
        VERIFYING,
        OPEN,
        CLOSED
    }

    private final ClientProtocol protocol;
    private final Transport transport;
    /** The upgrade that opened this connection, as the access log records it. */
    private final UpgradeAttempt attempt;

    private final String id;
    private final Instant connectedAt;
    private final ViolationCounter violations = new ViolationCounter();
    /** limits.messages_per_connection. Only used on the transport thread. */
    private final TokenBucket messages;
    /** Set by {@link CredentialLifetime}. Only used on the transport thread. */
    private final ExpiryTimers expiry = new ExpiryTimers();
    /** Written on the transport thread, read by the hub from any thread. */
    private volatile Principal principal;
    /** Only accessed on the transport thread. */
    private State state = State.AWAITING_AUTH;

    private Future<?> authTimeout;
    private static final String AUTHENTICATE_FIRST =
            "Authenticate first: send {\"type\":\"auth\",\"token\":\"...\"} or connect with a credential";

    /** The refusal the server closed with; null while open or when the client closed. Transport thread. */
    private RefusalCode closedFor;

    /** Set when the connection opens. Only accessed on the transport thread. */
    private PersonalChannel personal;

    /** The client instance id (SPEC §7) of the upgrade or auth message, unchecked until established; or null. */
    private String instance;
    /** What this connection counts across nodes (ConnectionPlaces), given back when it closes. Transport thread. */
    private List<Count> counted = List.of();

    ClientConnection(ClientProtocol protocol, Transport transport, UpgradeAttempt attempt, String instance) {
        this.instance = instance;
        this.protocol = protocol;
        this.transport = transport;
        this.id = ConnectionIds.generate();
        this.attempt = attempt.on(id);
        this.connectedAt = protocol.clock().instant();
        this.messages = protocol.limits().messageBucket();
    }

    /** The socket is open and {@code principal} was authenticated during the upgrade. */
    public void onAuthenticatedOpen(Principal principal) {
        establish(principal, attempt);
    }

    /** The socket is open, but its credential was refused during the upgrade: tell the client why. */
    public void refuse(Refusal refusal) {
        closeWith(refusal);
    }

    /** The socket is open without a credential: the first message must be {@code auth}. */
    public void onUnauthenticatedOpen() {
        authTimeout = transport.schedule(protocol.authTimeout(), () -> {
            if (state == State.AWAITING_AUTH || state == State.VERIFYING) {
                attempt.refused(RefusalCode.AUTH_TIMEOUT.refusal());
                closeWith(RefusalCode.AUTH_TIMEOUT.refusal());
            }
        });
    }

    public void onText(String text) {
        if (state == State.CLOSED || !withinMessageLimit()) {
            return;
        }
        ClientMessage m;
        try {
            m = protocol.codec().readClient(text);
        } catch (BadMessageException e) {
            if (e.type() == null || state == State.OPEN) {
                violation(e.refusal(), e.id());
            } else if (state == State.AWAITING_AUTH) {
                // A known message with a bad field is still not an auth message (auth has none to get wrong).
                refuseWithoutToken(AUTHENTICATE_FIRST);
            } // VERIFYING: dropped, like every message that races the verdict
            return;
        }
        try {
            dispatch(m);
        } catch (BadMessageException e) {
            violation(e.refusal(), e.id());
        }
    }

    /**
     * A ping or pong frame arrived: control frames count against limits.messages_per_connection
     * like messages, so a flood of them closes the connection. False when the connection is closed
     * (or closes now) and the frame must not be answered.
     */
    public boolean onControlFrame() {
        return state != State.CLOSED && withinMessageLimit();
    }

    /** Takes one from limits.messages_per_connection; closes with 4429 and false when none is left. */
    private boolean withinMessageLimit() {
        long wait = messages.take(System.nanoTime());
        if (wait > 0) {
            closeWith(protocol.limits().tooManyMessages(wait));
            return false;
        }
        return true;
    }

    /**
     * The server began to close the socket, for whatever reason (a refusal here, the heartbeat, a
     * slow consumer). The socket may wait seconds for the client's close frame; subscriptions and
     * presence end now.
     */
    public void onClosing(Refusal refusal) {
        state = State.CLOSED;
        closedFor = refusal.code();
        protocol.hub().unsubscribeAll(this);
    }

    /** The socket closed, for whatever reason. */
    public void onClosed(int closeCode) {
        state = State.CLOSED;
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        expiry.cancel();
        // The close record first: shutdown waits for the hub to empty, then flushes the access log.
        if (principal != null) {
            attempt.closed(principal, connectedAt, closeCode);
            protocol.hooks()
                    .connectionClosed(
                            id,
                            principal.user().id(),
                            closeCode,
                            closedFor == null ? null : closedFor.name(),
                            protocol.clock().millis() - connectedAt.toEpochMilli());
        }
        protocol.hub().unregister(this);
        protocol.places().release(counted);
        counted = List.of();
    }

    private void dispatch(ClientMessage m) {
        if (state != State.OPEN) {
            if (state == State.AWAITING_AUTH) {
                authenticate(m);
            }
            // VERIFYING: messages that race the verdict are dropped; the client waits for connection_established.
            return;
        }
        if (m instanceof ClientMessage.Ping) {
            send(protocol.replies().pong(m.id()));
        } else if (m instanceof ClientMessage.Subscribe s) {
            protocol.channels().subscribe(this, s);
        } else if (m instanceof ClientMessage.Unsubscribe u) {
            protocol.channels().unsubscribe(this, u);
        } else if (m instanceof ClientMessage.Publish p) {
            protocol.channels().publish(this, p);
        } else if (m instanceof ClientMessage.Presence p) {
            protocol.channels().presence(this, p);
        } else if (m instanceof ClientMessage.History h) {
            protocol.channels().history(this, h);
        } else if (m instanceof ClientMessage.Refresh r) {
            protocol.lifetime().refresh(this, r);
        } else if (m instanceof ClientMessage.CancelTask c) {
            protocol.tasks().cancel(this, c.id(), c.taskId());
        } else if (m instanceof ClientMessage.GetStats) {
            protocol.stats().get(this, m.id());
        } else {
            throw new BadMessageException(
                    RefusalCode.BAD_REQUEST.refusal("Already authenticated; use refresh to extend the credential"),
                    m.id());
        }
    }

    /** The first message of a connection that came without a credential (SPEC §2, point 5). */
    private void authenticate(ClientMessage m) {
        if (!(m instanceof ClientMessage.Auth auth)) {
            refuseWithoutToken(AUTHENTICATE_FIRST);
            return;
        }
        if (instance == null) {
            instance = auth.instance();
        }
        String token = auth.token();
        if (token == null || token.isEmpty()) {
            refuseWithoutToken("The auth message needs a token field");
            return;
        }
        Credential credential = new Credential(token, CredentialCarrier.AUTH_MESSAGE);
        UpgradeAttempt presented = attempt.with(credential);
        Refusal tooOften = protocol.limits().admitCredential(credential);
        if (tooOften != null) {
            presented.refused(tooOften);
            closeWith(tooOften);
            return;
        }
        state = State.VERIFYING;
        protocol.tokens()
                .verify(token)
                .whenComplete((verdict, failure) -> transport.execute(() -> {
                    if (state != State.VERIFYING) {
                        return;
                    }
                    Verdict v = failure == null ? verdict : Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal());
                    if (v.isAccepted()) {
                        authTimeout.cancel(false);
                        protocol.limits().accepted(clientIp());
                        establish(v.principal(), presented);
                    } else {
                        protocol.limits().refused(clientIp(), v.refusal());
                        presented.refused(v.refusal());
                        closeWith(v.refusal());
                    }
                }));
    }

    private void refuseWithoutToken(String hint) {
        Refusal missing = RefusalCode.TOKEN_MISSING.refusal(hint);
        attempt.refused(missing);
        closeWith(missing);
    }

    /**
     * {@code p} is authenticated, with the credential of {@code via}: take a place (or be refused
     * one: the access-log row then has the refusal's code and the user; with several nodes the
     * answer may come later, on this thread), say so, watch the credential.
     */
    private void establish(Principal p, UpgradeAttempt via) {
        if (instance != null && InstanceId.parse(instance).isEmpty()) {
            via.refused(p, RefusalCode.BAD_REQUEST.refusal(InstanceId.grammarHint()));
            closeWith(RefusalCode.BAD_REQUEST.refusal(InstanceId.grammarHint()));
            return;
        }
        ClientInstance client = ClientInstance.of(p, instance);
        state = State.VERIFYING; // messages that race the place are dropped, as those that race the verdict
        protocol.places().take(p, client, clientIp(), transport::execute, (refusal, counted) -> {
            if (state != State.VERIFYING) {
                protocol.places().release(counted); // closed meanwhile
            } else if (refusal != null) {
                via.refused(p, refusal);
                closeWith(refusal);
            } else {
                this.counted = counted;
                open(p, client, via);
            }
        });
    }

    private void open(Principal p, ClientInstance client, UpgradeAttempt via) {
        via.accepted(p);
        this.principal = p;
        state = State.OPEN;
        transport.authenticated();
        protocol.hub().register(this);
        protocol.duplicates().opened(client, id, connectedAt);
        personal = new PersonalChannel(ChannelName.personal(p.user().id()).orElse(null));
        protocol.channels().subscribePersonal(this);
        send(protocol.replies().connectionEstablished(id, p));
        protocol.tasks().catchUp(this); // read on the blocking pool: never holds up connection_established
        protocol.hooks().connectionOpened(id, p.user().id(), via.method(), clientIp());
        protocol.lifetime().watch(this); // after connection_established: a token_expiring may follow at once
    }

    private void violation(Refusal refusal, JsonNode id) {
        if (violations.record(System.nanoTime())) {
            closeWith(RefusalCode.BAD_REQUEST.refusal("Too many invalid messages"));
            return;
        }
        send(protocol.replies().error(refusal, id));
    }

    // --- For this package's helpers: on the transport's thread

    boolean isOpen() {
        return state == State.OPEN;
    }

    void closeWith(Refusal refusal) {
        state = State.CLOSED;
        transport.close(refusal);
    }

    /** Runs {@code task} on this connection's thread. */
    void execute(Runnable task) {
        transport.execute(task);
    }

    Future<?> schedule(Duration delay, Runnable task) {
        return transport.schedule(delay, task);
    }

    PersonalChannel personal() {
        return personal;
    }

    ExpiryTimers expiry() {
        return expiry;
    }

    /** A refresh brought a new credential: revocation and duplicates now concern it. */
    void renew(Principal next) {
        Principal old = principal;
        principal = next;
        protocol.hub().rekey(this, old.credentialId());
        protocol.duplicates()
                .opened(ClientInstance.of(next, instance), id, protocol.clock().instant());
    }

    /** The same credential lives longer (a session extended over HTTP). */
    void extend(Principal longer) {
        principal = longer;
    }

    // --- Connection: called by the hub from any thread

    @Override
    public String id() {
        return id;
    }

    @Override
    public String instanceId() {
        return instance;
    }

    @Override
    public Principal principal() {
        return principal;
    }

    @Override
    public Instant connectedAt() {
        return connectedAt;
    }

    @Override
    public String clientIp() {
        return transport.clientIp();
    }

    @Override
    public String origin() {
        return attempt.origin();
    }

    @Override
    public boolean send(EncodedMessage message) {
        return transport.send(message);
    }

    @Override
    public void serverSubscription(ChannelName channel, boolean subscribe) {
        transport.execute(() -> protocol.channels().byServer(this, channel, subscribe));
    }

    @Override
    public void close(Refusal refusal) {
        transport.execute(() -> {
            if (state != State.CLOSED) {
                closeWith(refusal);
            }
        });
    }
}
