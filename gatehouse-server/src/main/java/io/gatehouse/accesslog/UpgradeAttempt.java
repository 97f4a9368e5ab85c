package io.gatehouse.accesslog;

import io.gatehouse.auth.Credential;
import io.gatehouse.auth.Fingerprint;
import io.gatehouse.auth.Principal;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.store.AccessLogEntry;
import java.time.Clock;
import java.time.Instant;

/**
 * One WebSocket upgrade as the access log sees it (SPEC §8): where it came from, and, once known,
 * the credential it presented and the connection it became. It records the attempt's outcome (and
 * later the connection's close) as {@link AccessLogEntry} rows, built here and nowhere else; the
 * credential is reduced to its carrier and fingerprint here, so no caller hands a token to the log.
 * Immutable: the transport and the connection each add what they learn.
 */
public final class UpgradeAttempt {
    private final AccessLog log;
    private final Clock clock;
    private final String clientIp;
    private final String origin;
    private final String userAgent;
    /**
     * How the credential came and its fingerprint, or null (none yet, or none at all): kept instead
     * of the credential, which an open connection's attempt would otherwise hold for its lifetime.
     */
    private final String method;

    private final String fingerprint;
    /** The connection the upgrade opened, or null (refused before the handshake). */
    private final String connectionId;

    UpgradeAttempt(
            AccessLog log,
            Clock clock,
            String clientIp,
            String origin,
            String userAgent,
            String method,
            String fingerprint,
            String connectionId) {
        this.log = log;
        this.clock = clock;
        this.clientIp = clientIp;
        this.origin = origin;
        this.userAgent = userAgent;
        this.method = method;
        this.fingerprint = fingerprint;
        this.connectionId = connectionId;
    }

    /** The attempt presenting {@code credential} (null: none). */
    public UpgradeAttempt with(Credential credential) {
        return credential == null
                ? new UpgradeAttempt(log, clock, clientIp, origin, userAgent, null, null, connectionId)
                : new UpgradeAttempt(
                        log,
                        clock,
                        clientIp,
                        origin,
                        userAgent,
                        credential.carrier().wireName(),
                        Fingerprint.of(credential.token()),
                        connectionId);
    }

    /** The attempt that opened connection {@code connectionId}. */
    public UpgradeAttempt on(String connectionId) {
        return new UpgradeAttempt(log, clock, clientIp, origin, userAgent, method, fingerprint, connectionId);
    }

    /** The client's IP address as the server resolved it. */
    public String clientIp() {
        return clientIp;
    }

    /** The {@code Origin} header of the upgrade, or null. */
    public String origin() {
        return origin;
    }

    /** How the credential came (authorization_header, subprotocol, query, cookie, auth_message), or null. */
    public String method() {
        return method;
    }

    public void accepted(Principal principal) {
        record(principal.user().id(), AccessLogEntry.ACCEPTED);
    }

    public void refused(Refusal refusal) {
        record(null, refusal.code().name());
    }

    /** {@code principal} was authenticated and then refused (a duplicate, too many connections of the user). */
    public void refused(Principal principal, Refusal refusal) {
        record(principal.user().id(), refusal.code().name());
    }

    /** The accepted connection of {@code principal}, open since {@code connectedAt}, closed with {@code closeCode}. */
    public void closed(Principal principal, Instant connectedAt, int closeCode) {
        long millis = clock.millis() - connectedAt.toEpochMilli();
        log.record(AccessLogEntry.close(
                clock.instant(), clientIp, principal.user().id(), connectionId, closeCode, millis));
    }

    private void record(String userId, String outcome) {
        log.record(AccessLogEntry.attempt(
                clock.instant(), clientIp, origin, userAgent, userId, method, outcome, fingerprint, connectionId));
    }
}
