package io.gatehouse.revocation;

import io.gatehouse.auth.RevokedTokens;
import io.gatehouse.auth.UserNotBefore;
import io.gatehouse.broker.Broker;
import io.gatehouse.broker.ControlCommand;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.Revocation;
import io.gatehouse.store.RevocationStore;
import io.gatehouse.store.WebhookEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the revocation journal every {@link #PERIOD} and sends each new entry through the
 * {@link Broker} as a disconnect, so that a revocation made anywhere (an API call on any node, or
 * the CLI in another process) closes the live connections it concerns within a second. Runs on its
 * own thread; {@link #poll()} may also be called by whoever just revoked something, to act at once.
 * A USER entry also raises that user's {@link UserNotBefore}, so the JWTs Gatehouse minted for them
 * are refused at handshake and refresh without a database read; at start, the USER entries of the
 * last {@code auth.tokens.max_ttl} are read once for the same purpose. Likewise a CREDENTIAL entry
 * with a hold (a revoked JWT or introspected token) goes into {@link RevokedTokens} until its
 * {@code held_until}, so a token revoked through any node is refused by a new handshake on this one.
 */
public final class RevocationWatcher implements AutoCloseable {
    public static final Duration PERIOD = Duration.ofMillis(250);
    private static final Logger LOG = LoggerFactory.getLogger(RevocationWatcher.class);
    private static final int BATCH = 500;

    private final RevocationStore journal;
    private final Broker broker;
    private final UserNotBefore notBefore;
    private final RevokedTokens held;
    private final ScheduledExecutorService timer;
    /** The highest journal id acted on. Guarded by this. */
    private long seen;
    /**
     * Ids acted on lately. Ids from concurrent writers (nodes, the CLI) may commit out of order,
     * so each read looks {@link #LOOK_BACK} ids behind {@link #seen} and skips what it already did.
     * Guarded by this.
     */
    private final java.util.Set<Long> applied = java.util.Collections.newSetFromMap(new java.util.LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Long, Boolean> eldest) {
            return size() > 4 * LOOK_BACK;
        }
    });

    private static final int LOOK_BACK = 1000;

    /**
     * Entries whose disconnect the broker did not take (Redis unreachable): sent again at each poll
     * until it does, however far {@link #seen} has moved on. Guarded by this.
     */
    private final java.util.Map<Long, Revocation> unsent = new java.util.LinkedHashMap<>();

    public RevocationWatcher(RevocationStore journal, Broker broker) {
        this(journal, broker, new UserNotBefore(Duration.ZERO), Duration.ZERO, new RevokedTokens(Clock.systemUTC()));
    }

    /**
     * @param keep how far back USER entries still matter: the longest a minted JWT lives
     * @param held the revoked tokens the token verifiers refuse
     */
    public RevocationWatcher(
            RevocationStore journal, Broker broker, UserNotBefore notBefore, Duration keep, RevokedTokens held) {
        this.journal = journal;
        this.broker = broker;
        this.notBefore = notBefore;
        this.held = held;
        this.seen = journal.newestId(); // what was revoked before this start has no live connections here
        if (!keep.isZero()) {
            for (Revocation r : journal.usersRemovedSince(Instant.now().minus(keep))) {
                notBefore.raise(r.subject(), r.at());
            }
        }
        journal.heldAt(Instant.now()).forEach(this::hold);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-revocations");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        poll();
                    } catch (RuntimeException e) {
                        LOG.warn("cannot read the revocation journal; retrying: {}", e.getMessage());
                    }
                },
                PERIOD.toMillis(),
                PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** Journals a revocation (for other processes) and sends it through the broker at once. Blocking (database). */
    public void revoke(Revocation.Kind kind, String subject) {
        revoke(kind, subject, List.of());
    }

    /** As {@link #revoke(Revocation.Kind, String)}, writing {@code events} to the webhook outbox with the entry. */
    public void revoke(Revocation.Kind kind, String subject, List<WebhookEvent> events) {
        revoke(kind, subject, null, events);
    }

    /**
     * As {@link #revoke(Revocation.Kind, String, List)}, for a credential that every node must refuse
     * until {@code heldUntil} (a JWT's exp; null: no hold), which this node already does.
     */
    public void revoke(Revocation.Kind kind, String subject, Instant heldUntil, List<WebhookEvent> events) {
        Instant now = Instant.now();
        journal.append(kind, subject, now, heldUntil, events);
        if (kind == Revocation.Kind.USER) {
            notBefore.raise(subject, now);
        }
        broker.publishControl(command(kind, subject));
    }

    /**
     * Acts at once on a credential's revocation that its caller journaled itself (in a transaction
     * of its own, with more in it): sends it through the broker. The next poll sees the entry too,
     * which closes nothing more.
     */
    public void announceCredential(String credentialId) {
        broker.publishControl(command(Revocation.Kind.CREDENTIAL, credentialId));
    }

    /** Acts on every journal entry not yet acted on. Blocking (database). */
    public synchronized void poll() {
        if (!unsent.isEmpty()) {
            List<Revocation> again = List.copyOf(unsent.values());
            unsent.clear();
            again.forEach(this::send);
        }
        List<Revocation> fresh;
        long from = Math.max(0, seen - LOOK_BACK);
        do {
            fresh = journal.after(from, BATCH);
            for (Revocation r : fresh) {
                from = r.id();
                if (applied.add(r.id())) {
                    if (r.kind() == Revocation.Kind.USER) {
                        notBefore.raise(r.subject(), r.at()); // before the disconnect: a reconnect must meet it
                    }
                    hold(r);
                    send(r);
                }
                seen = Math.max(seen, r.id());
            }
        } while (fresh.size() == BATCH);
    }

    /** Refuses {@code r}'s credential until its hold ends, when it has one. */
    private void hold(Revocation r) {
        if (r.heldUntil() == null) {
            return;
        }
        try {
            held.add(r.subject(), r.heldUntil());
        } catch (RuntimeException full) { // RevokedTokens is full: its hint says what to do
            LOG.warn("revocation {} is not held on this node: {}", r.id(), full.getMessage());
        }
    }

    /** Sends {@code r}'s disconnect through the broker; one it refuses goes to {@link #unsent}. */
    private void send(Revocation r) {
        broker.publishControl(command(r.kind(), r.subject())).whenComplete((done, failure) -> {
            if (failure != null) {
                synchronized (this) {
                    if (unsent.isEmpty()) {
                        LOG.warn(
                                "the broker did not take revocation {}; sending it again: {}",
                                r.id(),
                                failure.getMessage());
                    }
                    unsent.put(r.id(), r);
                }
            }
        });
    }

    private static ControlCommand command(Revocation.Kind kind, String subject) {
        return switch (kind) {
            case CREDENTIAL -> new ControlCommand.DisconnectCredential(subject, RefusalCode.TOKEN_REVOKED.refusal());
            case USER ->
                new ControlCommand.DisconnectUser(subject, RefusalCode.TOKEN_REVOKED.refusal("The user was removed"));
        };
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
