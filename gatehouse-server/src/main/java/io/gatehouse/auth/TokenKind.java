package io.gatehouse.auth;

import java.util.Locale;

/** What kind of credential authenticated a connection; the {@code method} of verify and the access log. */
public enum TokenKind {
    JWT,
    OPAQUE,
    INTROSPECTED,
    SESSION;

    /** The lower-case wire name. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
