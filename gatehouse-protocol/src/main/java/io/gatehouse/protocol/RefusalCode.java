package io.gatehouse.protocol;

import java.util.Optional;

/**
 * Every way Gatehouse refuses something, with the one HTTP status, WebSocket close code,
 * default hint and client action that go with it (SPEC §3). The HTTP body, the close frame,
 * the access log and docs/protocol.md all come from this table.
 *
 * <p>The close code is 4000 + the HTTP status unless the WebSocket RFC has a code of its own
 * for the condition (1003, 1007, 1009, 1011, 1012).
 */
public enum RefusalCode {
    TOKEN_MISSING(
            401,
            4401,
            ClientAction.LOG_IN,
            "No credential found; send Authorization: Bearer <token>, the gatehouse.bearer.<token> subprotocol, ?token=, or an auth message"),
    TOKEN_INVALID(401, 4401, ClientAction.LOG_IN, "The token is not valid; obtain a new one"),
    TOKEN_EXPIRED(401, 4401, ClientAction.REFRESH_THEN_RETRY, "The token has expired; refresh it and reconnect"),
    TOKEN_REVOKED(401, 4401, ClientAction.LOG_IN, "The token was revoked; log in again"),
    SESSION_EXPIRED(401, 4401, ClientAction.LOG_IN, "The session has expired; log in again"),
    LOGIN_FAILED(401, 4401, ClientAction.LOG_IN, "Unknown user or wrong password"),
    CSRF_TOKEN_MISSING(
            403,
            4403,
            ClientAction.REFRESH_THEN_RETRY,
            "Cookie sessions need a CSRF token; POST /api/v1/auth/refresh and reconnect with csrf_token"),
    CSRF_TOKEN_EXPIRED(
            403,
            4403,
            ClientAction.REFRESH_THEN_RETRY,
            "The CSRF token is stale; POST /api/v1/auth/refresh and reconnect"),
    CSRF_VALIDATION_ERROR(
            403,
            4403,
            ClientAction.REFRESH_THEN_RETRY,
            "The CSRF token does not match the session; refresh once, log in if it repeats"),
    PERMISSION_DENIED(403, 4403, ClientAction.STOP, "Not allowed for this credential"),
    ORIGIN_NOT_ALLOWED(403, 4403, ClientAction.STOP, "This Origin is not allowed; add it to server.allowed_origins"),
    NOT_FOUND(404, 4404, ClientAction.STOP, "No such resource"),
    METHOD_NOT_ALLOWED(405, 4405, ClientAction.STOP, "This method is not supported on this path"),
    RATE_LIMITED(429, 4429, ClientAction.RETRY, "Too many requests; back off"),
    TOO_MANY_CONNECTIONS(429, 4429, ClientAction.RETRY, "Too many connections; back off"),
    TOO_MANY_SUBSCRIPTIONS(
            429,
            4429,
            ClientAction.STOP,
            "This connection has limits.subscriptions_per_connection subscriptions; unsubscribe from channels it no longer needs"),
    AUTH_TIMEOUT(
            408,
            4408,
            ClientAction.RETRY,
            "No auth message arrived in time; send {\"type\":\"auth\",\"token\":...} first"),
    HEARTBEAT_TIMEOUT(408, 4408, ClientAction.RETRY, "No traffic within the heartbeat window; reconnect"),
    CONNECTION_REPLACED(409, 4409, ClientAction.STOP, "A newer connection of the same session took over"),
    DISCONNECTED(410, 4410, ClientAction.STOP, "The server disconnected this connection"),
    BAD_REQUEST(400, 4400, ClientAction.STOP, "The message is not valid; see docs/protocol.md"),
    UNSUPPORTED_DATA(415, 1003, ClientAction.STOP, "Binary frames are not supported; send JSON text frames"),
    INVALID_PAYLOAD(400, 1007, ClientAction.STOP, "Text frames must be valid UTF-8"),
    MESSAGE_TOO_BIG(413, 1009, ClientAction.STOP, "The message is larger than limits.max_message_bytes"),
    SLOW_CONSUMER(508, 4508, ClientAction.RETRY, "The client did not read fast enough; reconnect and recover"),
    BACKEND_UNAVAILABLE(
            503,
            4503,
            ClientAction.RETRY,
            "A backend (the database, the broker or the token service) is unavailable; back off"),
    SERVER_SHUTTING_DOWN(503, 1012, ClientAction.RETRY, "The server is restarting; reconnect after the given delay"),
    INTERNAL_ERROR(500, 1011, ClientAction.RETRY, "Internal error; back off and retry");

    private final int httpStatus;
    private final int closeCode;
    private final ClientAction clientAction;
    private final String defaultHint;

    RefusalCode(int httpStatus, int closeCode, ClientAction clientAction, String defaultHint) {
        this.httpStatus = httpStatus;
        this.closeCode = closeCode;
        this.clientAction = clientAction;
        this.defaultHint = defaultHint;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public int closeCode() {
        return closeCode;
    }

    public ClientAction clientAction() {
        return clientAction;
    }

    public String defaultHint() {
        return defaultHint;
    }

    /** A short human title, for the {@code error} field of an HTTP body: "Token invalid". */
    public String title() {
        String words = name().replace('_', ' ').toLowerCase(java.util.Locale.ROOT);
        return Character.toUpperCase(words.charAt(0)) + words.substring(1);
    }

    /** The code named {@code name} (as a close reason or an {@code error} frame carries it), or empty. */
    public static Optional<RefusalCode> fromName(String name) {
        for (RefusalCode c : values()) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }

    /** A refusal with this code and its default hint. */
    public Refusal refusal() {
        return new Refusal(this, defaultHint);
    }

    /** A refusal with this code and a hint that says more than the default. */
    public Refusal refusal(String hint) {
        return new Refusal(this, hint);
    }
}
