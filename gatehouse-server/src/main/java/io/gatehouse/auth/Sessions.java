package io.gatehouse.auth;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.Revocation;
import io.gatehouse.store.RevocationStore;
import io.gatehouse.store.SessionRecord;
import io.gatehouse.store.SessionStore;
import io.gatehouse.store.TokenStore;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Cookie sessions (SPEC §2): login with a local user's password, the session secret in the
 * HttpOnly cookie {@value #SESSION_COOKIE}, and a CSRF token that must come with every cookie
 * upgrade and cookie-authenticated state-changing request. Both are stored only as SHA-256
 * hashes. A CSRF token older than {@code auth.session.csrf_max_age} is stale: refresh issues a new
 * one and extends the session. All methods block (database, Argon2): never call them on an event loop.
 *
 * @param hashing where logins run (Argon2), apart from the blocking pool
 */
public record Sessions(
        SessionStore sessions,
        UserStore users,
        RevocationStore revocations,
        TokenStore tokens,
        PasswordHasher passwords,
        PasswordHashingPool hashing,
        GatehouseConfig.Session config,
        Clock clock) {
    public static final String SESSION_COOKIE = "gh_session";
    public static final String CSRF_COOKIE = "gh_csrf";
    public static final String CSRF_HEADER = "X-CSRF-Token";
    static final String SESSION_KIND = "ghs_";
    static final String CSRF_KIND = "ghc_";

    /** A new session's secrets, to be sent once in cookies and the response body. */
    public record NewSession(String sessionValue, String csrfToken, User user, Instant expiresAt) {
        @Override
        public String toString() {
            return "NewSession[" + user.id() + ", expires " + expiresAt + "]";
        }
    }

    /** A refreshed CSRF token and the session's new expiry; or why not. */
    public record Refreshed(String csrfToken, Instant expiresAt, Refusal refusal) {
        @Override
        public String toString() {
            return refusal == null ? "Refreshed[expires " + expiresAt + "]" : "Refreshed[" + refusal.code() + "]";
        }
    }

    /** How strictly the CSRF token is checked. */
    public enum CsrfRule {
        /** Present, matching and younger than csrf_max_age: upgrades and state-changing requests. */
        FRESH,
        /** Present and matching, however old: refresh and logout, which exist to recover from staleness. */
        MATCHING
    }

    /**
     * Checks the password and opens a session, on the {@link PasswordHashingPool}: never blocks the
     * caller, and fails with BACKEND_UNAVAILABLE (with a Retry-After) when too many logins wait.
     * An unknown user costs the same Argon2 work as a wrong password, and both get the same empty answer.
     */
    public CompletionStage<Optional<NewSession>> login(String username, char[] password) {
        return hashing.submit(() -> checkPasswordAndOpen(username, password));
    }

    private Optional<NewSession> checkPasswordAndOpen(String username, char[] password) {
        Optional<UserRecord> user = username == null ? Optional.empty() : users.find(username);
        if (user.isEmpty()) {
            passwords.verifyDummy(password);
            return Optional.empty();
        }
        if (!passwords.verify(password, user.get().passwordHash())) {
            return Optional.empty();
        }
        SecretToken session = SecretToken.generate(SESSION_KIND);
        SecretToken csrf = SecretToken.generate(CSRF_KIND);
        Instant now = now();
        Instant expires = now.plus(config.ttl());
        sessions.insert(new SessionRecord(
                session.prefix(), session.hash(), user.get().id(), csrf.hash(), now, now, expires, null));
        User u = new User(
                UserIds.local(user.get().id()), user.get().id(), user.get().roles());
        return Optional.of(new NewSession(session.value(), csrf.value(), u, expires));
    }

    /** The session's principal when the session is live and the CSRF token passes {@code rule}. */
    public Verdict verify(String sessionValue, String csrfToken, CsrfRule rule) {
        Optional<String> prefix = SecretToken.prefixOf(sessionValue, SESSION_KIND);
        if (prefix.isEmpty()) {
            return Verdict.refused(
                    RefusalCode.TOKEN_INVALID.refusal("The gh_session cookie is malformed; log in again"));
        }
        Optional<SessionRecord> found = sessions.findByPrefix(prefix.get());
        if (found.isEmpty() || !SecretToken.matches(sessionValue, found.get().hash())) {
            return Verdict.refused(RefusalCode.TOKEN_INVALID.refusal("Unknown session; log in again"));
        }
        SessionRecord s = found.get();
        if (s.revokedAt() != null) {
            return Verdict.refused(RefusalCode.TOKEN_REVOKED.refusal("The session was logged out; log in again"));
        }
        Instant now = now();
        if (!s.expiresAt().isAfter(now)) {
            return Verdict.refused(RefusalCode.SESSION_EXPIRED.refusal());
        }
        Refusal csrf = checkCsrf(s, csrfToken, rule, now);
        if (csrf != null) {
            return Verdict.refused(csrf);
        }
        Optional<UserRecord> user = users.find(s.userId());
        if (user.isEmpty()) {
            return Verdict.refused(RefusalCode.TOKEN_REVOKED.refusal("The user no longer exists"));
        }
        User u = new User(
                UserIds.local(user.get().id()), user.get().id(), user.get().roles());
        return Verdict.accepted(new Principal(u, Set.of(), s.expiresAt(), TokenKind.SESSION, s.prefix()));
    }

    private Refusal checkCsrf(SessionRecord s, String csrfToken, CsrfRule rule, Instant now) {
        if (csrfToken == null || csrfToken.isEmpty()) {
            return RefusalCode.CSRF_TOKEN_MISSING.refusal(
                    "Cookie sessions need the CSRF token (csrf_token or X-CSRF-Token; "
                            + "it is in the gh_csrf cookie); POST /api/v1/auth/refresh if you lost it");
        }
        if (!SecretToken.matches(csrfToken, s.csrfHash())) {
            return RefusalCode.CSRF_VALIDATION_ERROR.refusal();
        }
        if (rule == CsrfRule.FRESH
                && !s.csrfIssuedAt().plus(config.csrfMaxAge()).isAfter(now)) {
            return RefusalCode.CSRF_TOKEN_EXPIRED.refusal("Session CSRF token is older than "
                    + describe(config.csrfMaxAge()) + "; POST /api/v1/auth/refresh and reconnect");
        }
        return null;
    }

    /** A new CSRF token and a later expiry, given the current (possibly stale) CSRF token. */
    public Refreshed refresh(String sessionValue, String csrfToken) {
        Verdict v = verify(sessionValue, csrfToken, CsrfRule.MATCHING);
        if (!v.isAccepted()) {
            return new Refreshed(null, null, v.refusal());
        }
        SecretToken csrf = SecretToken.generate(CSRF_KIND);
        Instant now = now();
        Instant expires = now.plus(config.ttl());
        if (!sessions.refresh(v.principal().credentialId(), csrf.hash(), now, expires)) {
            return new Refreshed(
                    null, null, RefusalCode.TOKEN_REVOKED.refusal("The session was logged out; log in again"));
        }
        return new Refreshed(csrf.value(), expires, null);
    }

    /**
     * Revokes the session (CSRF token matching, however old) and every token minted with it, and
     * journals them; null or why not.
     */
    public Refusal logout(String sessionValue, String csrfToken) {
        Verdict v = verify(sessionValue, csrfToken, CsrfRule.MATCHING);
        if (!v.isAccepted()) {
            return v.refusal();
        }
        Instant now = now();
        sessions.revoke(v.principal().credentialId(), now);
        revocations.append(Revocation.Kind.CREDENTIAL, v.principal().credentialId(), now);
        // and the tokens minted with this session, and those minted with them
        for (String minted : tokens.revokeMintedFrom(v.principal().credentialId(), now)) {
            revocations.append(Revocation.Kind.CREDENTIAL, minted, now);
        }
        return null;
    }

    /** The session's current expiry, or empty when it is gone, revoked or expired. */
    public Optional<Instant> liveUntil(String prefix) {
        Optional<SessionRecord> s = sessions.findByPrefix(prefix);
        if (s.isEmpty() || s.get().revokedAt() != null || !s.get().expiresAt().isAfter(now())) {
            return Optional.empty();
        }
        return Optional.of(s.get().expiresAt());
    }

    public Duration ttl() {
        return config.ttl();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    private static String describe(Duration d) {
        return d.toMinutes() >= 1 && d.toSecondsPart() == 0 ? d.toMinutes() + " min" : d.toMillis() + " ms";
    }
}
