package io.gatehouse.auth;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.ValueType;
import java.time.Duration;

/** The lifetime of a token to mint: asked for, or {@code auth.tokens.default_ttl}; never over {@code auth.tokens.max_ttl}. */
public final class TokenLifetime {
    private TokenLifetime() {}

    /**
     * @param requested a duration such as {@code 30m}, or null for the default
     * @throws IllegalArgumentException saying what is wrong with {@code requested}
     */
    public static Duration of(String requested, GatehouseConfig.Tokens tokens) {
        Duration ttl = requested == null ? tokens.defaultTtl() : ValueType.parseDuration(requested);
        if (ttl.isZero() || ttl.compareTo(tokens.maxTtl()) > 0) {
            throw new IllegalArgumentException(
                    "a token lifetime must be longer than 0 and at most auth.tokens.max_ttl ("
                            + tokens.maxTtl().toHours() + "h)");
        }
        return ttl;
    }
}
