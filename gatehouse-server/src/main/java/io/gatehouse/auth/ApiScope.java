package io.gatehouse.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a server API key may do: {@code publish} (publish, broadcast, presence, history),
 * {@code revoke} (revoke a user's token by the token, {@code POST /api/v1/credentials/revoke}: what
 * an application backend needs when it deletes a token, and nothing more), {@code admin}
 * (everything, both of those included).
 */
public enum ApiScope {
    PUBLISH,
    REVOKE,
    ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ApiScope> fromWire(String s) {
        for (ApiScope scope : values()) {
            if (scope.wireName().equals(s)) {
                return Optional.of(scope);
            }
        }
        return Optional.empty();
    }

    /** Whether a key holding {@code granted} may do what needs this scope. */
    public boolean isGrantedBy(java.util.Collection<ApiScope> granted) {
        return granted.contains(this) || granted.contains(ADMIN);
    }
}
