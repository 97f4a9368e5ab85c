package io.gatehouse.probe;

import java.util.Locale;

/** What part of a server a scenario looks at, so a pipeline can gate on some (the JSON rows' {@code category}). */
public enum Category {
    /** Credentials: missing, bad, expired, valid by each carrier, cookie sessions and their CSRF token. */
    AUTH,
    /** Cross-site pages: a foreign {@code Origin}, with and without the cookie. */
    ORIGIN,
    /** How the server holds under a client that misbehaves on purpose. */
    ABUSE,
    /** The connection itself: TLS, time-outs. */
    TRANSPORT;

    /** As the JSON writes it: {@code auth}, {@code origin}, {@code abuse}, {@code transport}. */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
