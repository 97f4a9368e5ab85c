package io.gatehouse.connection;

import io.gatehouse.auth.Principal;
import io.gatehouse.auth.Sessions;
import io.gatehouse.auth.TokenKind;
import io.gatehouse.auth.TokenVerifier;
import io.gatehouse.auth.Verdict;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.RefusalCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;

/**
 * How long an open connection's credential lasts (SPEC §2): {@code token_expiring}
 * {@code auth.expiry_warning} before it expires, the close with 4401 TOKEN_EXPIRED at expiry, the
 * in-band {@code refresh} that extends it with a new credential of the same user, and for a cookie
 * session a look at the database before closing, since {@code POST /api/v1/auth/refresh} may have
 * extended it. Shared by every connection of the node; each connection's timers are its own
 * {@link ExpiryTimers}, and everything here runs on the connection's thread.
 *
 * @param warning auth.expiry_warning
 * @param jwtClockSkew auth.jwt.clock_skew: a JWT is accepted that long past its {@code exp}, at the
 *     handshake and on the open socket alike, so the socket closes that long after {@code exp}
 * @param tokens verifies the tokens of in-band refreshes
 * @param blocking where a session's expiry is looked up in the database
 */
public record CredentialLifetime(
        Clock clock,
        Duration warning,
        Duration jwtClockSkew,
        TokenVerifier tokens,
        Sessions sessions,
        Executor blocking,
        ChannelCommands channels,
        Replies replies) {
    /** The longest expiry timer set at once; a later expiry is looked at again after it. */
    static final Duration LONGEST_TIMER = Duration.ofDays(1);

    /**
     * Sets {@code c}'s timers for its current principal, replacing any: {@code token_expiring}
     * {@code auth.expiry_warning} before expiry (at once if less is left), the close at expiry. Call
     * after {@code connection_established}: a warning may follow at once.
     */
    void watch(ClientConnection c) {
        Principal p = c.principal();
        c.expiry().cancel();
        if (p.expiresAt() == null) {
            return;
        }
        Instant closesAt = closesAt(p);
        Duration left = Duration.between(clock.instant(), closesAt);
        if (left.compareTo(LONGEST_TIMER) > 0) {
            // exp can be far beyond what a timer can hold (1e18 s overflows its nanoseconds):
            // look again after the longest timer instead, when the warning may be due.
            c.expiry().set(null, c.schedule(LONGEST_TIMER, () -> {
                if (c.isOpen() && c.principal() == p) {
                    watch(c);
                }
            }));
            return;
        }
        Runnable warn = () -> {
            if (c.isOpen()) {
                c.send(replies.tokenExpiring(closesAt));
            }
        };
        Duration untilWarning = left.minus(warning);
        Future<?> warningTimer = null;
        if (untilWarning.isNegative() || untilWarning.isZero()) {
            warn.run();
        } else {
            warningTimer = c.schedule(untilWarning, warn);
        }
        c.expiry().set(warningTimer, c.schedule(left.isNegative() ? Duration.ZERO : left, () -> expire(c, p)));
    }

    /**
     * When a connection of {@code p} closes for expiry: at its {@code exp}, and for a JWT, whose
     * {@code exp} another clock wrote, {@code auth.jwt.clock_skew} later, as the handshake allows.
     */
    private Instant closesAt(Principal p) {
        Instant exp = p.expiresAt();
        // Not Duration.between(exp, Instant.MAX): that throws and catches an ArithmeticException inside
        // the JDK on every call (its nanoseconds overflow), a stack trace per handshake.
        if (p.kind() != TokenKind.JWT || !exp.isBefore(Instant.MAX.minus(jwtClockSkew))) {
            return exp;
        }
        return exp.plus(jwtClockSkew);
    }

    /** In-band {@code refresh} {token}: a new credential of the same user extends {@code c}. */
    void refresh(ClientConnection c, ClientMessage.Refresh m) {
        String token = m.token(); // never empty: the codec refuses that
        String userId = c.principal().user().id();
        tokens.verify(token)
                .whenComplete((verdict, failure) -> c.execute(() -> {
                    if (!c.isOpen()) {
                        return;
                    }
                    Verdict v = failure == null ? verdict : Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal());
                    if (!v.isAccepted()) {
                        c.closeWith(v.refusal());
                    } else if (!v.principal().user().id().equals(userId)) {
                        c.closeWith(RefusalCode.TOKEN_INVALID.refusal("A refresh token must belong to the same user"));
                    } else {
                        c.renew(v.principal());
                        watch(c);
                        c.send(replies.refreshed(m.id(), v.principal().expiresAt()));
                        channels.endUngranted(c);
                    }
                }));
    }

    private void expire(ClientConnection c, Principal p) {
        if (!c.isOpen() || c.principal() != p) {
            return;
        }
        if (p.kind() != TokenKind.SESSION) {
            c.closeWith(RefusalCode.TOKEN_EXPIRED.refusal(
                    "The credential expired; send refresh before expiry, or reconnect with a new one"));
            return;
        }
        // A session may have been extended by POST /api/v1/auth/refresh: look before closing.
        CompletableFuture<Optional<Instant>> live;
        try {
            live = CompletableFuture.supplyAsync(() -> sessions.liveUntil(p.credentialId()), blocking);
        } catch (RuntimeException poolFull) {
            live = CompletableFuture.failedFuture(poolFull); // cannot look: treat as expired
        }
        live.whenComplete((until, failure) -> c.execute(() -> {
            if (!c.isOpen() || c.principal() != p) {
                return;
            }
            if (failure == null && until.isPresent() && until.get().isAfter(clock.instant())) {
                c.extend(new Principal(p.user(), p.channels(), until.get(), p.kind(), p.credentialId()));
                watch(c);
            } else {
                c.closeWith(RefusalCode.SESSION_EXPIRED.refusal());
            }
        }));
    }
}
