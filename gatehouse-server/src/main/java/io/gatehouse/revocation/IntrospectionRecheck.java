package io.gatehouse.revocation;

import io.gatehouse.auth.IntrospectionVerifier;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.Verdict;
import io.gatehouse.hub.Connection;
import io.gatehouse.hub.Hub;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks the introspection backend again about the token of every open introspected connection,
 * every {@code auth.introspection.recheck_interval} (issue 10, point 6): an introspected token
 * has no expiry unless the backend gives one, so a token deleted in the application would
 * otherwise keep its socket open for ever.
 *
 * <ul>
 * <li>Each credential (token) gets its own schedule, jittered to 80-120 % of the interval, so
 * that the connections of one start do not all ask at once; all connections sharing a token are
 * checked together, through the verifier's cache and its one-call-per-token rule: one backend
 * call per token, however many connections use it.
 * <li>401/403 (TOKEN_INVALID) closes those connections with TOKEN_REVOKED, an {@code exp} now past
 * with TOKEN_EXPIRED. A timeout, a 5xx or any other BACKEND_UNAVAILABLE keeps them, and the token
 * is asked again at its next interval: an outage of the backend must not log every user out.
 * <li>It runs on its own thread and the calls are asynchronous (the verifier's HTTP client);
 * nothing here runs on, or waits on, an event loop.
 * </ul>
 */
public final class IntrospectionRecheck implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IntrospectionRecheck.class);
    /** How long an accepted token is kept for a connection that is not registered yet. */
    private static final Duration HANDSHAKE_GRACE = Duration.ofMinutes(1);

    private final Hub hub;
    private final IntrospectionVerifier verifier;
    private final long intervalNanos;
    private final ScheduledExecutorService timer;
    /** When each credential in use is next asked about (System.nanoTime). Only touched on the timer thread. */
    private final Map<String, Long> due = new HashMap<>();
    /** Credentials being asked about now: not asked again until the answer is in. */
    private final Set<String> asking = ConcurrentHashMap.newKeySet();

    public IntrospectionRecheck(Hub hub, IntrospectionVerifier verifier, Duration interval) {
        this.hub = hub;
        this.verifier = verifier;
        this.intervalNanos = interval.toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "gatehouse-recheck");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        // Often enough that a token is asked about close to its time: a tenth of the interval, within 100 ms..1 s.
        long tick = Math.max(100, Math.min(1000, TimeUnit.NANOSECONDS.toMillis(intervalNanos) / 10));
        timer.scheduleWithFixedDelay(
                () -> {
                    try {
                        tick();
                    } catch (RuntimeException e) {
                        LOG.warn("re-checking introspected tokens failed; retrying", e);
                    }
                },
                tick,
                tick,
                TimeUnit.MILLISECONDS);
    }

    private void tick() {
        long now = System.nanoTime();
        Set<String> inUse = new HashSet<>();
        for (Connection c : hub.connections()) {
            if (c.principal().kind() == TokenKind.INTROSPECTED) {
                inUse.add(c.principal().credentialId());
            }
        }
        due.keySet().retainAll(inUse);
        verifier.keepOnly(inUse, HANDSHAKE_GRACE);
        for (String credentialId : inUse) {
            long at = due.computeIfAbsent(credentialId, k -> now + jittered());
            if (at - now <= 0 && !asking.contains(credentialId)) {
                due.put(credentialId, now + jittered());
                ask(credentialId);
            }
        }
    }

    private void ask(String credentialId) {
        var call = verifier.recheck(credentialId);
        if (call.isEmpty()) {
            return; // forgotten (revoked through the API): its connections are being closed
        }
        asking.add(credentialId);
        call.get().whenComplete((verdict, failure) -> {
            asking.remove(credentialId);
            if (failure == null) {
                act(credentialId, verdict);
            }
        });
    }

    private void act(String credentialId, Verdict v) {
        if (v.isAccepted()) {
            return;
        }
        Refusal close = switch (v.refusal().code()) {
            case TOKEN_INVALID, TOKEN_REVOKED ->
                RefusalCode.TOKEN_REVOKED.refusal(
                        "The application no longer accepts this token (re-checked); log in again");
            case TOKEN_EXPIRED ->
                RefusalCode.TOKEN_EXPIRED.refusal("The application says the token has expired; log in again");
            default -> null; // BACKEND_UNAVAILABLE and the like: keep the connections, ask again next interval
        };
        if (close == null) {
            return;
        }
        var open = hub.connectionsWith(credentialId);
        if (!open.isEmpty()) {
            LOG.info(
                    "closing {} connection(s) whose introspected token the backend now refuses ({}); token fingerprint {}",
                    open.size(),
                    v.refusal().code().name(),
                    credentialId.substring(0, 8));
        }
        open.forEach(c -> c.close(close));
    }

    private long jittered() {
        return (long) (intervalNanos * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
