package io.gatehouse.auth;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.RefusalException;
import io.gatehouse.store.UserRecord;
import java.util.List;
import java.util.Map;

/**
 * One id namespace per identity source (docs/protocol.md, "User ids"). The primary source (the
 * application's JWTs, or its introspection endpoint, as {@code auth.primary_source} says) keeps
 * its ids exactly as sent, so backends publish to {@code {"user": "42"}} with their own ids. Every
 * other source is qualified with a reserved prefix: local users {@code local:NAME}, an issuer of
 * {@code auth.jwt.other_issuers} {@code jwt:ISSUER_NAME:SUB} (the name it is configured with), the
 * application's JWTs when introspection is primary {@code jwt::SUB}, introspection when it is not
 * primary {@code introspection:ID}. A primary id that starts with a reserved prefix is refused, so no source
 * can take an id that belongs to another.
 *
 * <p>JWTs minted by Gatehouse carry the reserved issuer {@value GatehouseConfig.Jwt#GATEHOUSE_ISSUER}
 * and, as their {@code sub}, the id of whoever they were minted for, already qualified.
 */
public final class UserIds {
    public static final String LOCAL_PREFIX = UserRecord.LOCAL_ID_PREFIX;
    public static final String JWT_PREFIX = "jwt:";
    public static final String INTROSPECTION_PREFIX = "introspection:";
    private static final List<String> RESERVED = List.of(LOCAL_PREFIX, JWT_PREFIX, INTROSPECTION_PREFIX);
    private final GatehouseConfig.PrimarySource primary;
    /** iss to its configured name. */
    private final Map<String, String> otherIssuers;

    /** @param otherIssuers the entries of auth.jwt.other_issuers, each {@code NAME=ISSUER} (checked by the config loader) */
    public UserIds(GatehouseConfig.PrimarySource primary, List<String> otherIssuers) {
        this.primary = primary;
        Map<String, String> byIssuer = new java.util.HashMap<>();
        for (String entry : otherIssuers) {
            int eq = entry.indexOf('=');
            byIssuer.put(entry.substring(eq + 1), entry.substring(0, eq));
        }
        this.otherIssuers = Map.copyOf(byIssuer);
    }

    public static UserIds forConfig(GatehouseConfig.Auth auth) {
        return new UserIds(auth.primarySource(), auth.jwt().otherIssuers());
    }

    /** The id of the local user {@code name} (a row of the users table). */
    public static String local(String name) {
        return UserRecord.localId(name);
    }

    /** The local user name behind {@code id}, or null when {@code id} is not a local user's. */
    public static String localName(String id) {
        return id.startsWith(LOCAL_PREFIX) ? id.substring(LOCAL_PREFIX.length()) : null;
    }

    /** Whether JWTs with this {@code iss} are accepted besides {@code auth.jwt.issuer}. */
    public boolean isOtherIssuer(String iss) {
        return iss != null && otherIssuers.containsKey(iss);
    }

    /**
     * The id of an application JWT's subject (not one Gatehouse minted).
     *
     * @throws RefusalException TOKEN_INVALID when a primary id takes a reserved prefix
     */
    public String jwt(String iss, String sub) {
        if (isOtherIssuer(iss)) {
            return JWT_PREFIX + otherIssuers.get(iss) + ":" + sub;
        }
        return primary == GatehouseConfig.PrimarySource.JWT ? primary(sub, "sub") : JWT_PREFIX + ":" + sub;
    }

    /**
     * The id of a user the introspection endpoint vouched for.
     *
     * @throws RefusalException TOKEN_INVALID when a primary id takes a reserved prefix
     */
    public String introspected(String id) {
        return primary == GatehouseConfig.PrimarySource.INTROSPECTION ? primary(id, "id") : INTROSPECTION_PREFIX + id;
    }

    private static String primary(String id, String field) {
        for (String prefix : RESERVED) {
            if (id.startsWith(prefix)) {
                throw new RefusalException(RefusalCode.TOKEN_INVALID.refusal("The user id (" + field
                        + ") may not start with " + prefix + ": it is reserved for another identity source"));
            }
        }
        return id;
    }
}
