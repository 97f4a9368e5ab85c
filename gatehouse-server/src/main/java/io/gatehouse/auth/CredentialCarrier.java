package io.gatehouse.auth;

import java.util.Locale;

/** Where a credential arrived (SPEC §2), in precedence order. */
public enum CredentialCarrier {
    AUTHORIZATION_HEADER,
    SUBPROTOCOL,
    QUERY,
    COOKIE,
    AUTH_MESSAGE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
