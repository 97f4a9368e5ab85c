package io.gatehouse.config;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code auth.*} keys, read and checked into {@link GatehouseConfig.Auth}: JWT verification and
 * its issuers, the lifetimes of minted tokens and of sessions, introspection, the primary identity
 * source.
 */
final class AuthSettings {
    private AuthSettings() {}

    static GatehouseConfig.Auth read(Settings settings) {
        String secret = settings.string(ConfigKey.AUTH_JWT_SECRET);
        if (!secret.isEmpty() && secret.getBytes(StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("invalid value for auth.jwt.secret ("
                    + settings.source(ConfigKey.AUTH_JWT_SECRET.key()) + "): an HS256 secret needs at least 32 bytes");
        }
        if (settings.string(ConfigKey.AUTH_JWT_ISSUER).equals(GatehouseConfig.Jwt.GATEHOUSE_ISSUER)) {
            throw settings.invalid(
                    ConfigKey.AUTH_JWT_ISSUER.key(),
                    settings.string(ConfigKey.AUTH_JWT_ISSUER),
                    "'gatehouse' is reserved for the JWTs Gatehouse mints; name the application's issuer");
        }
        var jwt = new GatehouseConfig.Jwt(
                secret,
                settings.stringList(ConfigKey.AUTH_JWT_PUBLIC_KEYS),
                settings.string(ConfigKey.AUTH_JWT_ISSUER),
                settings.string(ConfigKey.AUTH_JWT_AUDIENCE),
                settings.duration(ConfigKey.AUTH_JWT_CLOCK_SKEW),
                settings.httpUrl(ConfigKey.AUTH_JWT_JWKS_URL),
                settings.positive(ConfigKey.AUTH_JWT_JWKS_CACHE_TTL),
                settings.string(ConfigKey.AUTH_JWT_SIGNING_KEY),
                otherIssuers(settings),
                algorithms(settings),
                secrets(settings, secret));
        Duration defaultTtl = settings.positive(ConfigKey.AUTH_TOKENS_DEFAULT_TTL);
        Duration maxTtl = settings.positive(ConfigKey.AUTH_TOKENS_MAX_TTL);
        if (defaultTtl.compareTo(maxTtl) > 0) {
            // Otherwise every token minted without an explicit ttl would be refused.
            throw settings.invalid(
                    ConfigKey.AUTH_TOKENS_DEFAULT_TTL.key(),
                    settings.raw(ConfigKey.AUTH_TOKENS_DEFAULT_TTL),
                    "longer than auth.tokens.max_ttl (" + settings.raw(ConfigKey.AUTH_TOKENS_MAX_TTL)
                            + "); shorten it or raise auth.tokens.max_ttl");
        }
        var tokens = new GatehouseConfig.Tokens(defaultTtl, maxTtl);
        var session = new GatehouseConfig.Session(
                settings.positive(ConfigKey.AUTH_SESSION_TTL),
                settings.positive(ConfigKey.AUTH_SESSION_CSRF_MAX_AGE),
                (Boolean) settings.value(ConfigKey.AUTH_SESSION_ENABLED),
                sameSite(settings));
        String scheme = settings.string(ConfigKey.AUTH_INTROSPECTION_SCHEME);
        if (!scheme.equals("Bearer") && !scheme.equals("Token")) {
            throw settings.invalid(ConfigKey.AUTH_INTROSPECTION_SCHEME.key(), scheme, "expected Bearer or Token");
        }
        String idField = settings.string(ConfigKey.AUTH_INTROSPECTION_ID_FIELD);
        if (idField.isEmpty()) {
            throw settings.invalid(
                    ConfigKey.AUTH_INTROSPECTION_ID_FIELD.key(),
                    idField,
                    "must name a field of the backend's JSON answer");
        }
        var introspection = new GatehouseConfig.Introspection(
                settings.httpUrl(ConfigKey.AUTH_INTROSPECTION_URL),
                scheme,
                idField,
                settings.positive(ConfigKey.AUTH_INTROSPECTION_CACHE_TTL),
                settings.positive(ConfigKey.AUTH_INTROSPECTION_NEGATIVE_CACHE_TTL),
                settings.positive(ConfigKey.AUTH_INTROSPECTION_TIMEOUT),
                settings.positive(ConfigKey.AUTH_INTROSPECTION_RECHECK_INTERVAL));
        return new GatehouseConfig.Auth(
                (Boolean) settings.value(ConfigKey.AUTH_ALLOW_QUERY_TOKEN),
                settings.positive(ConfigKey.AUTH_TIMEOUT),
                settings.duration(ConfigKey.AUTH_EXPIRY_WARNING),
                jwt,
                tokens,
                session,
                introspection,
                primarySource(settings));
    }

    private static GatehouseConfig.SameSite sameSite(Settings settings) {
        String raw = settings.string(ConfigKey.AUTH_SESSION_SAME_SITE);
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "lax" -> GatehouseConfig.SameSite.LAX;
            case "strict" -> GatehouseConfig.SameSite.STRICT;
            case "none" -> GatehouseConfig.SameSite.NONE;
            default ->
                throw settings.invalid(ConfigKey.AUTH_SESSION_SAME_SITE.key(), raw, "expected lax, strict or none");
        };
    }

    private static GatehouseConfig.PrimarySource primarySource(Settings settings) {
        String raw = settings.string(ConfigKey.AUTH_PRIMARY_SOURCE);
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "jwt" -> GatehouseConfig.PrimarySource.JWT;
            case "introspection" -> GatehouseConfig.PrimarySource.INTROSPECTION;
            default ->
                throw settings.invalid(ConfigKey.AUTH_PRIMARY_SOURCE.key(), raw, "expected jwt or introspection");
        };
    }

    /**
     * auth.jwt.other_issuers: {@code NAME=ISSUER} entries, names and issuers each once; never
     * auth.jwt.issuer. The reserved issuer may be listed: another Gatehouse's JWTs, verified by
     * its keys (auth.jwt.jwks_url), then get their own namespace.
     */
    private static List<String> otherIssuers(Settings settings) {
        List<String> entries = settings.stringList(ConfigKey.AUTH_JWT_OTHER_ISSUERS);
        Set<String> names = new HashSet<>();
        Set<String> issuers = new HashSet<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq);
            String iss = eq < 0 ? "" : entry.substring(eq + 1);
            if (!GatehouseConfig.Jwt.ISSUER_NAME.matcher(name).matches()
                    || iss.isEmpty()
                    || iss.equals(settings.string(ConfigKey.AUTH_JWT_ISSUER))
                    || !names.add(name)
                    || !issuers.add(iss)) {
                throw settings.invalid(
                        ConfigKey.AUTH_JWT_OTHER_ISSUERS.key(),
                        entry,
                        "expected NAME=ISSUER (NAME of a-z 0-9 _ . -, at most 32), each name and issuer once, "
                                + "not auth.jwt.issuer");
            }
        }
        return entries;
    }

    /** {@code auth.jwt.algorithms}: at least one of HS256, RS256, ES256, upper-cased. */
    private static Set<String> algorithms(Settings settings) {
        Set<String> out = new TreeSet<>();
        for (String raw : settings.stringList(ConfigKey.AUTH_JWT_ALGORITHMS)) {
            String alg = raw.toUpperCase(Locale.ROOT);
            if (!GatehouseConfig.Jwt.ALGORITHMS.contains(alg)) {
                throw settings.invalid(
                        ConfigKey.AUTH_JWT_ALGORITHMS.key(),
                        raw,
                        "expected HS256, RS256 or ES256 ('none' and other algorithms are never accepted)");
            }
            out.add(alg);
        }
        if (out.isEmpty()) {
            throw settings.invalid(ConfigKey.AUTH_JWT_ALGORITHMS.key(), "", "name at least one of HS256, RS256, ES256");
        }
        return Set.copyOf(out);
    }

    /** What a key id of auth.jwt.secrets may be. */
    private static final java.util.regex.Pattern KEY_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    /** auth.jwt.secrets: KID=SECRET each, ids unique, secrets of 32 bytes or more; not together with auth.jwt.secret. */
    private static List<GatehouseConfig.JwtSecret> secrets(Settings settings, String single) {
        String key = ConfigKey.AUTH_JWT_SECRETS.key();
        List<GatehouseConfig.JwtSecret> out = new java.util.ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (String entry : settings.stringList(ConfigKey.AUTH_JWT_SECRETS)) {
            int eq = entry.indexOf('=');
            String id = eq < 0 ? "" : entry.substring(0, eq);
            if (!KEY_ID.matcher(id).matches()) {
                throw settings.invalid(
                        key, "(not shown)", "expected KID=SECRET entries, a KID of 1-64 of A-Z a-z 0-9 _ - .");
            }
            String secret = entry.substring(eq + 1);
            if (secret.getBytes(StandardCharsets.UTF_8).length < 32) {
                throw settings.invalid(key, id + "=(not shown)", "an HS256 secret needs at least 32 bytes");
            }
            if (!ids.add(id)) {
                throw settings.invalid(key, id + "=(not shown)", "the key id " + id + " is listed twice");
            }
            out.add(new GatehouseConfig.JwtSecret(id, secret));
        }
        if (!out.isEmpty() && !single.isEmpty()) {
            throw settings.invalid(
                    key,
                    "(not shown)",
                    "set auth.jwt.secret or auth.jwt.secrets, not both: move the secret into the list as KID=SECRET");
        }
        return out;
    }
}
