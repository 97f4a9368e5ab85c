package io.gatehouse.connection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gatehouse.Node;
import io.gatehouse.accesslog.AccessRecord;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.Principal;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.Verdict;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.history.HistoryPage;
import io.gatehouse.history.HistoryQuery;
import io.gatehouse.history.Recovery;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Subscription;
import io.gatehouse.limits.TokenBucket;
import io.gatehouse.protocol.BadMessageException;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.MessageCodec;
import io.gatehouse.protocol.MessageType;
import io.gatehouse.protocol.ParsedMessage;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.StreamPosition;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * One client's side of the message protocol (SPEC §4): authentication by first message,
 * subscriptions, publishing, pings, violations. Knows nothing of Netty: it talks to its socket
 * through {@link Transport}. All methods except those of {@link Connection} run on the
 * transport's thread.
 */
public final class ClientConnection implements Connection {
    private enum State {
        AWAITING_AUTH,
        VERIFYING,
        OPEN,
        CLOSED
    }

    /** The longest expiry timer set at once; a later expiry is looked at again after it. */
    static final Duration LONGEST_TIMER = Duration.ofDays(1);

    private final Node node;
    private final Transport transport;
    private final String id;
    private final Instant connectedAt;
    private final String origin;
    private final String userAgent;
    private final ViolationCounter violations = new ViolationCounter();
    /** limits.messages_per_connection. Only used on the transport thread. */
    private final TokenBucket messages;
    /** Written on the transport thread, read by the hub from any thread. */
    private volatile Principal principal;
    /** Only accessed on the transport thread. */
    private State state = State.AWAITING_AUTH;

    private Future<?> authTimeout;
    private Future<?> expiryWarning;
    private Future<?> expiry;
    /** The user's personal channel, subscribed implicitly on connect; null if the id has none. */
    private ChannelName personalChannel;
    /** Whether a subscribe or unsubscribe already named the personal channel. */
    private boolean personalClaimed;

    public ClientConnection(Node node, Transport transport, String origin, String userAgent) {
        this.node = node;
        this.transport = transport;
        this.id = newId();
        this.connectedAt = node.clock().instant();
        this.origin = origin;
        this.userAgent = userAgent;
        this.messages = node.limits().messageBucket();
    }

    private static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    /** The socket is open and {@code principal} was authenticated during the upgrade. */
    public void onAuthenticatedOpen(Principal principal) {
        establish(principal);
    }

    /** The socket is open, but its credential was refused during the upgrade: tell the client why. */
    public void refuse(Refusal refusal) {
        closeWith(refusal);
    }

    /** The socket is open without a credential: the first message must be {@code auth}. */
    public void onUnauthenticatedOpen() {
        authTimeout = transport.schedule(node.config().auth().timeout(), () -> {
            if (state == State.AWAITING_AUTH || state == State.VERIFYING) {
                logAttempt(null, RefusalCode.AUTH_TIMEOUT.name(), null);
                closeWith(RefusalCode.AUTH_TIMEOUT.refusal());
            }
        });
    }

    public void onText(String text) {
        if (state == State.CLOSED) {
            return;
        }
        if (!withinMessageLimit()) {
            return;
        }
        ParsedMessage m;
        try {
            m = node.codec().parse(text);
        } catch (BadMessageException e) {
            violation(e.refusal(), e.id());
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
            node.limits().limited(io.gatehouse.config.ConfigKey.LIMITS_MESSAGES_PER_CONNECTION);
            closeWith(RefusalCode.RATE_LIMITED
                    .refusal("Too many messages or control frames (limits.messages_per_connection)")
                    .retryAfter(wait));
            return false;
        }
        return true;
    }

    /**
     * The server began to close the socket, for whatever reason (a refusal here, the heartbeat, a
     * slow consumer). The socket may wait seconds for the client's close frame; subscriptions and
     * presence end now.
     */
    public void onClosing() {
        state = State.CLOSED;
        node.hub().unsubscribeAll(this);
    }

    /** The socket closed, for whatever reason. */
    public void onClosed(int closeCode) {
        state = State.CLOSED;
        if (authTimeout != null) {
            authTimeout.cancel(false);
        }
        cancelExpiry();
        // The close record first: shutdown waits for the hub to empty, then flushes the access log.
        if (principal != null) {
            long millis = node.clock().millis() - connectedAt.toEpochMilli();
            node.accessLog()
                    .record(AccessRecord.close(
                            node.clock().instant(), clientIp(), principal.user().id(), id, closeCode, millis));
        }
        node.hub().unregister(this);
    }

    private void dispatch(ParsedMessage m) {
        if (state != State.OPEN) {
            if (m.type() == MessageType.AUTH && state == State.AWAITING_AUTH) {
                authenticate(m);
            } else if (state == State.AWAITING_AUTH) {
                logAttempt(null, RefusalCode.TOKEN_MISSING.name(), null);
                closeWith(RefusalCode.TOKEN_MISSING.refusal(
                        "Authenticate first: send {\"type\":\"auth\",\"token\":\"...\"} or connect with a credential"));
            }
            // VERIFYING: messages that race the verdict are dropped; the client waits for connection_established.
            return;
        }
        switch (m.type()) {
            case PING -> ping(m);
            case SUBSCRIBE -> subscribe(m);
            case UNSUBSCRIBE -> unsubscribe(m);
            case PUBLISH -> publish(m);
            case REFRESH -> refresh(m);
            case PRESENCE -> presence(m);
            case HISTORY -> history(m);
            case AUTH -> throw bad("Already authenticated; use refresh to extend the credential", m.id());
            default -> throw bad("Unknown message type '" + m.type().wireName() + "'", m.id());
        }
    }

    private void authenticate(ParsedMessage m) {
        String token = m.text("token");
        if (token == null || token.isEmpty()) {
            logAttempt(null, RefusalCode.TOKEN_MISSING.name(), null);
            closeWith(RefusalCode.TOKEN_MISSING.refusal("The auth message needs a token field"));
            return;
        }
        Credential credential = new Credential(token, CredentialCarrier.AUTH_MESSAGE);
        Refusal tooOften = node.limits().admitCredential(credential);
        if (tooOften != null) {
            logAttempt(null, tooOften.code().name(), credential);
            closeWith(tooOften);
            return;
        }
        state = State.VERIFYING;
        node.credentialVerifier()
                .tokens()
                .verify(token)
                .whenComplete((verdict, failure) -> transport.execute(() -> {
                    if (state != State.VERIFYING) {
                        return;
                    }
                    Verdict v = failure == null ? verdict : Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal());
                    if (v.isAccepted()) {
                        authTimeout.cancel(false);
                        node.limits().accepted(clientIp());
                        logAttempt(v.principal(), AccessRecord.ACCEPTED, credential);
                        establish(v.principal());
                    } else {
                        node.limits().refused(clientIp(), v.refusal());
                        logAttempt(null, v.refusal().code().name(), credential);
                        closeWith(v.refusal());
                    }
                }));
    }

    private void logAttempt(Principal p, String outcome, Credential credential) {
        node.accessLog()
                .attempt(
                        node.clock().instant(),
                        clientIp(),
                        origin,
                        userAgent,
                        p == null ? null : p.user().id(),
                        outcome,
                        credential,
                        id);
    }

    private void establish(Principal p) {
        GatehouseConfig.DuplicatePolicy policy = node.config().limits().duplicateSessionPolicy();
        if (policy == GatehouseConfig.DuplicatePolicy.REJECT
                && !node.hub().connectionsWith(p.credentialId()).isEmpty()) {
            closeWith(RefusalCode.CONNECTION_REPLACED.refusal(
                    "Another connection already uses this session or token (limits.duplicate_session_policy: reject)"));
            return;
        }
        if (node.hub().connectionsOf(p.user().id()).size() >= node.limits().connectionsPerUser()) {
            node.limits().limited(io.gatehouse.config.ConfigKey.LIMITS_CONNECTIONS_PER_USER);
            closeWith(RefusalCode.TOO_MANY_CONNECTIONS
                    .refusal("This user has limits.connections_per_user connections open")
                    .retryAfter(5000));
            return;
        }
        this.principal = p;
        state = State.OPEN;
        transport.authenticated();
        node.hub().register(this);
        if (policy == GatehouseConfig.DuplicatePolicy.REPLACE) {
            node.broker().publishControl(new ControlCommand.ReplaceCredential(p.credentialId(), id, connectedAt));
        }
        personalChannel = ChannelName.personal(p.user().id()).orElse(null);
        if (personalChannel != null) {
            startSubscription(node.hub().subscribe(this, personalChannel), null, null, recovery -> {});
        }
        ObjectNode reply = node.codec().reply(MessageType.CONNECTION_ESTABLISHED, null);
        reply.put("connection_id", id);
        reply.set("user", node.codec().user(p.user()));
        reply.put("expires_at", p.expiresAt() == null ? null : p.expiresAt().toString());
        reply.put("heartbeat_interval_ms", node.config().heartbeat().interval().toMillis());
        reply.put("server_time", node.clock().millis());
        send(node.codec().encode(reply));
        scheduleExpiry(p); // after connection_established: a token_expiring may follow at once
    }

    private void ping(ParsedMessage m) {
        ObjectNode reply = node.codec().reply(MessageType.PONG, m.id());
        reply.put("timestamp", node.clock().millis());
        send(node.codec().encode(reply));
    }

    private void subscribe(ParsedMessage m) {
        ChannelName channel = channel(m);
        StreamPosition since = since(m);
        Refusal denied = node.channelAccess().checkSubscribe(principal, channel);
        if (denied != null) {
            send(node.codec().error(denied, m.id()));
            return;
        }
        Subscription existing = node.hub().subscription(this, channel.value());
        if (existing != null) {
            if (channel.equals(personalChannel) && !personalClaimed) {
                personalClaimed = true;
                recoverPersonal(existing, since, m.id());
            } else {
                send(node.codec().error(RefusalCode.BAD_REQUEST.refusal("Already subscribed to " + channel), m.id()));
            }
            return;
        }
        if (node.hub().subscriptionCount(this) >= node.limits().subscriptionsPerConnection()) {
            // Presence entries come with subscriptions, so this bounds them too.
            node.limits().limited(io.gatehouse.config.ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION);
            send(node.codec()
                    .error(
                            RefusalCode.TOO_MANY_SUBSCRIPTIONS.refusal(
                                    "This connection has " + node.limits().subscriptionsPerConnection()
                                            + " subscriptions (limits.subscriptions_per_connection); unsubscribe from channels it no longer needs"),
                            m.id()));
            return;
        }
        startSubscription(
                node.hub().subscribe(this, channel),
                since,
                m.id(),
                recovery -> send(subscribed(m.id(), channel, recovery)));
    }

    /**
     * Reads history (or only the position, without {@code since}) once the broker delivers the
     * channel here, then takes {@code sub} live; {@code announce} sends the reply.
     */
    private void startSubscription(Subscription sub, StreamPosition since, JsonNode id, Consumer<Recovery> announce) {
        ChannelName channel = sub.channel();
        sub.brokerReady()
                .thenCompose(ready -> since == null
                        ? node.broker().position(channel).thenApply(now -> new HistoryPage(List.of(), now))
                        : node.broker().history(channel, HistoryQuery.after(since.offset())))
                .whenComplete((page, failure) -> transport.execute(() -> {
                    if (state != State.OPEN || node.hub().subscription(this, channel.value()) != sub) {
                        return; // closed or unsubscribed meanwhile
                    }
                    if (failure != null) {
                        node.hub().unsubscribe(this, channel.value());
                        send(node.codec().error(RefusalCode.INTERNAL_ERROR.refusal(), id));
                        return;
                    }
                    node.hub().start(sub, since, page, announce);
                }));
    }

    /**
     * The personal channel is subscribed from connect on; an explicit subscribe to it recovers what
     * was missed before that: history after {@code since} up to where the subscription went live.
     */
    private void recoverPersonal(Subscription sub, StreamPosition since, JsonNode id) {
        ChannelName channel = sub.channel();
        sub.started()
                .thenCompose(liveFrom -> since == null
                        ? CompletableFuture.completedFuture(new HistoryPage(List.of(), liveFrom))
                        : node.broker()
                                .history(channel, HistoryQuery.after(since.offset()))
                                .thenApply(page -> page.position().epoch().equals(liveFrom.epoch())
                                        ? new HistoryPage(
                                                page.publications().stream()
                                                        .filter(p -> p.offset() <= liveFrom.offset())
                                                        .toList(),
                                                liveFrom)
                                        : new HistoryPage(List.of(), liveFrom)))
                .whenComplete((page, failure) -> transport.execute(() -> {
                    if (state != State.OPEN) {
                        return;
                    }
                    if (failure != null) {
                        send(node.codec().error(RefusalCode.INTERNAL_ERROR.refusal(), id));
                        return;
                    }
                    Recovery recovery = Recovery.of(since, page, List.of());
                    if (since != null) {
                        node.metrics().recovery(recovery.recovered());
                    }
                    send(subscribed(id, channel, recovery));
                }));
    }

    private EncodedMessage subscribed(JsonNode id, ChannelName channel, Recovery recovery) {
        ObjectNode reply = node.codec().reply(MessageType.SUBSCRIBED, id);
        reply.put("channel", channel.value());
        reply.put("offset", recovery.position().offset());
        reply.put("epoch", recovery.position().epoch());
        reply.put("recovered", recovery.recovered());
        ArrayNode publications = reply.putArray("publications");
        recovery.missed().forEach(p -> publications.add(node.codec().publication(p)));
        return node.codec().encode(reply);
    }

    /** The optional {@code since} {offset, epoch} of subscribe and history. */
    private static StreamPosition since(ParsedMessage m) {
        JsonNode since = m.field("since");
        if (since == null || since.isNull()) {
            return null;
        }
        JsonNode offset = since.get("offset");
        JsonNode epoch = since.get("epoch");
        if (offset == null
                || !offset.canConvertToLong()
                || !offset.isIntegralNumber()
                || offset.asLong() < 0
                || epoch == null
                || !epoch.isTextual()) {
            throw bad(
                    "since must be {\"offset\": N, \"epoch\": \"...\"}, as the last subscribed or message frame gave them",
                    m.id());
        }
        return new StreamPosition(offset.asLong(), epoch.asText());
    }

    private void unsubscribe(ParsedMessage m) {
        ChannelName channel = channel(m);
        node.hub().unsubscribe(this, channel.value());
        if (channel.equals(personalChannel)) {
            personalClaimed = true; // a later subscribe is an ordinary one
        }
        ObjectNode reply = node.codec().reply(MessageType.UNSUBSCRIBED, m.id());
        reply.put("channel", channel.value());
        send(node.codec().encode(reply));
    }

    /** {@code history} {channel, since?, limit?}: kept publications, oldest first (SPEC §4). */
    private void history(ParsedMessage m) {
        ChannelName channel = channel(m);
        StreamPosition since = since(m);
        int limit = limit(m);
        Refusal denied = node.channelAccess().checkSubscribe(principal, channel);
        if (denied != null) {
            send(node.codec().error(denied, m.id()));
            return;
        }
        node.broker()
                .history(
                        channel, since == null ? HistoryQuery.newest(limit) : HistoryQuery.after(since.offset(), limit))
                .thenCompose(page -> since == null || page.position().epoch().equals(since.epoch())
                        ? CompletableFuture.completedFuture(page)
                        // offsets of another epoch mean nothing now: read from the oldest kept one
                        : node.broker().history(channel, HistoryQuery.after(0, limit)))
                .whenComplete((page, failure) -> transport.execute(() -> {
                    if (failure != null) {
                        send(node.codec().error(RefusalCode.INTERNAL_ERROR.refusal(), m.id()));
                        return;
                    }
                    ObjectNode reply = node.codec().reply(MessageType.HISTORY, m.id());
                    reply.put("channel", channel.value());
                    send(node.codec().encode(node.codec().history(reply, page)));
                }));
    }

    private static int limit(ParsedMessage m) {
        JsonNode limit = m.field("limit");
        if (limit == null || limit.isNull()) {
            return Integer.MAX_VALUE;
        }
        if (!limit.isIntegralNumber() || !limit.canConvertToInt() || limit.asInt() < 0) {
            throw bad("limit must be a whole number, 0 or more", m.id());
        }
        return limit.asInt();
    }

    /** {@code presence} {channel}: who is subscribed, where the namespace keeps presence. */
    private void presence(ParsedMessage m) {
        ChannelName channel = channel(m);
        Refusal denied = node.channelAccess().checkSubscribe(principal, channel);
        if (denied == null) {
            denied = node.channelAccess().checkPresence(channel);
        }
        if (denied != null) {
            send(node.codec().error(denied, m.id()));
            return;
        }
        node.broker()
                .presence(channel)
                .whenComplete((clients, failure) -> transport.execute(() -> {
                    if (failure != null) {
                        send(node.codec().error(RefusalCode.INTERNAL_ERROR.refusal(), m.id()));
                        return;
                    }
                    ObjectNode reply = node.codec().reply(MessageType.PRESENCE, m.id());
                    reply.put("channel", channel.value());
                    ArrayNode list = reply.putArray("clients");
                    clients.forEach(c -> list.add(node.codec().presenceClient(c)));
                    send(node.codec().encode(reply));
                }));
    }

    private void publish(ParsedMessage m) {
        ChannelName channel = channel(m);
        JsonNode data = m.field("data");
        if (data == null) {
            throw bad("publish needs a data field", m.id());
        }
        Refusal denied = node.channelAccess().checkClientPublish(principal, channel);
        if (denied != null) {
            send(node.codec().error(denied, m.id()));
            return;
        }
        node.broker()
                .publish(channel, data.toString())
                .whenComplete((publication, failure) -> transport.execute(() -> {
                    if (failure != null) {
                        send(node.codec().error(RefusalCode.INTERNAL_ERROR.refusal(), m.id()));
                        return;
                    }
                    send(published(m.id(), publication));
                }));
    }

    private EncodedMessage published(JsonNode id, Publication p) {
        ObjectNode reply = node.codec().reply(MessageType.PUBLISHED, id);
        reply.put("channel", p.channel());
        reply.put("offset", p.offset());
        reply.put("epoch", p.epoch());
        return node.codec().encode(reply);
    }

    /** In-band refresh: a new credential for the same user extends this connection. */
    private void refresh(ParsedMessage m) {
        String token = m.text("token");
        if (token == null || token.isEmpty()) {
            throw bad("refresh needs a token field", m.id());
        }
        String userId = principal.user().id();
        node.credentialVerifier()
                .tokens()
                .verify(token)
                .whenComplete((verdict, failure) -> transport.execute(() -> {
                    if (state != State.OPEN) {
                        return;
                    }
                    Verdict v = failure == null ? verdict : Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal());
                    if (!v.isAccepted()) {
                        closeWith(v.refusal());
                    } else if (!v.principal().user().id().equals(userId)) {
                        closeWith(RefusalCode.TOKEN_INVALID.refusal("A refresh token must belong to the same user"));
                    } else {
                        Principal old = principal;
                        principal = v.principal();
                        // Revocation and duplicates now concern the new credential.
                        node.hub().rekey(this, old.credentialId());
                        if (node.config().limits().duplicateSessionPolicy()
                                == GatehouseConfig.DuplicatePolicy.REPLACE) {
                            node.broker()
                                    .publishControl(new ControlCommand.ReplaceCredential(
                                            principal.credentialId(),
                                            id,
                                            node.clock().instant()));
                        }
                        scheduleExpiry(principal);
                        ObjectNode reply = node.codec().reply(MessageType.REFRESHED, m.id());
                        reply.put(
                                "expires_at",
                                MessageCodec.timestamp(v.principal().expiresAt()));
                        send(node.codec().encode(reply));
                        endUngranted();
                    }
                }));
    }

    /**
     * After a refresh: ends each subscription the new credential no longer grants (its claims,
     * roles or channels list), telling the client {@code unsubscribed} with the refusal's code.
     */
    private void endUngranted() {
        for (String name : node.hub().channelsOf(this)) {
            Subscription sub = node.hub().subscription(this, name);
            if (sub == null) {
                continue;
            }
            Refusal denied = node.channelAccess().checkSubscribe(principal, sub.channel());
            if (denied != null && node.hub().unsubscribe(this, name)) {
                ObjectNode frame = node.codec().reply(MessageType.UNSUBSCRIBED, null);
                frame.put("channel", name);
                frame.put("code", denied.code().name());
                frame.put("message", denied.hint());
                send(node.codec().encode(frame));
            }
        }
    }

    /**
     * Tells the client {@code token_expiring} {@code auth.expiry_warning} (60 s) before its credential
     * expires (at once if less is left), and closes the connection at expiry unless a refresh came.
     */
    private void scheduleExpiry(Principal p) {
        cancelExpiry();
        if (p.expiresAt() == null) {
            return;
        }
        Duration left = Duration.between(node.clock().instant(), p.expiresAt());
        Duration untilWarning = left.minus(node.config().auth().expiryWarning());
        Runnable warn = () -> {
            if (state == State.OPEN) {
                ObjectNode m = node.codec().reply(MessageType.TOKEN_EXPIRING, null);
                m.put(
                        "expires_in_ms",
                        Math.max(
                                0,
                                Duration.between(node.clock().instant(), p.expiresAt())
                                        .toMillis()));
                send(node.codec().encode(m));
            }
        };
        if (left.compareTo(LONGEST_TIMER) > 0) {
            // exp can be far beyond what a timer can hold (1e18 s overflows its nanoseconds):
            // look again after the longest timer instead, when the warning may be due.
            expiry = transport.schedule(LONGEST_TIMER, () -> {
                if (state == State.OPEN && principal == p) {
                    scheduleExpiry(p);
                }
            });
            return;
        }
        if (untilWarning.isNegative() || untilWarning.isZero()) {
            warn.run();
        } else {
            expiryWarning = transport.schedule(untilWarning, warn);
        }
        expiry = transport.schedule(left.isNegative() ? Duration.ZERO : left, () -> onExpiry(p));
    }

    private void onExpiry(Principal p) {
        if (state != State.OPEN || principal != p) {
            return;
        }
        if (p.kind() != TokenKind.SESSION) {
            closeWith(RefusalCode.TOKEN_EXPIRED.refusal(
                    "The credential expired; send refresh before expiry, or reconnect with a new one"));
            return;
        }
        // A session may have been extended by POST /api/v1/auth/refresh: look before closing.
        CompletableFuture<java.util.Optional<Instant>> live;
        try {
            live = CompletableFuture.supplyAsync(() -> node.sessions().liveUntil(p.credentialId()), node.blocking());
        } catch (RuntimeException poolFull) {
            live = CompletableFuture.failedFuture(poolFull); // cannot look: treat as expired
        }
        live.whenComplete((until, failure) -> transport.execute(() -> {
            if (state != State.OPEN || principal != p) {
                return;
            }
            if (failure == null
                    && until.isPresent()
                    && until.get().isAfter(node.clock().instant())) {
                principal = new Principal(p.user(), p.channels(), until.get(), p.kind(), p.credentialId());
                scheduleExpiry(principal);
            } else {
                closeWith(RefusalCode.SESSION_EXPIRED.refusal());
            }
        }));
    }

    private void cancelExpiry() {
        if (expiryWarning != null) {
            expiryWarning.cancel(false);
            expiryWarning = null;
        }
        if (expiry != null) {
            expiry.cancel(false);
            expiry = null;
        }
    }

    private ChannelName channel(ParsedMessage m) {
        String raw = m.text("channel");
        if (raw == null) {
            throw bad(m.type().wireName() + " needs a channel field", m.id());
        }
        Optional<ChannelName> channel = ChannelName.parse(raw);
        if (channel.isEmpty()) {
            throw bad(ChannelName.grammarHint(), m.id());
        }
        return channel.get();
    }

    private static BadMessageException bad(String hint, JsonNode id) {
        return new BadMessageException(RefusalCode.BAD_REQUEST.refusal(hint), id);
    }

    private void violation(Refusal refusal, JsonNode id) {
        if (violations.record(System.nanoTime())) {
            closeWith(RefusalCode.BAD_REQUEST.refusal("Too many invalid messages"));
            return;
        }
        send(node.codec().error(refusal, id));
    }

    private void closeWith(Refusal refusal) {
        state = State.CLOSED;
        transport.close(refusal);
    }

    // --- Connection: called by the hub from any thread ---

    @Override
    public String id() {
        return id;
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
    public boolean send(EncodedMessage message) {
        return transport.send(message);
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
