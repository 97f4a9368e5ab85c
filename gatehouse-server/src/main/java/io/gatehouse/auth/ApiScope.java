package io.gatehouse.auth;

import java.util.Locale;
import java.util.Optional;

/** What a server API key may do. {@code admin} includes {@code publish}. */
public enum ApiScope {
    PUBLISH, ADMIN;

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
