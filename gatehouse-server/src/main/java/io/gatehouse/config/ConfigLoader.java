package io.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Turns {@link ConfigSources} into a validated {@link GatehouseConfig}. */
public final class ConfigLoader {

    private static final Pattern NAMESPACE_NAME = Pattern.compile("[A-Za-z0-9_\\-.@]{1,64}");
    private static final long MAX_MESSAGE_BYTES_LIMIT = 16L * 1024 * 1024; // 16 MiB

    private final Map<String, ConfigSources.Setting> settings;
    private final Map<String, String> declaredNamespaces;

    private ConfigLoader(Map<String, ConfigSources.Setting> settings, Map<String, String> declaredNamespaces) {
        this.settings = settings;
        this.declaredNamespaces = declaredNamespaces;
    }

    /**
     * Validates every setting and builds the configuration.
     *
     * @throws ConfigException naming the first key that is unknown or has an invalid value
     */
    public static GatehouseConfig load(ConfigSources sources) {
        return new ConfigLoader(sources.settings(), sources.declaredNamespaces()).build();
    }

    /** The embedded defaults with nothing overridden. */
    public static GatehouseConfig defaults() {
        return load(new ConfigSources());
    }

    private GatehouseConfig build() {
        Path dataDir = ((Path) value(ConfigKey.DATA_DIR)).toAbsolutePath().normalize();
        var server = new GatehouseConfig.Server(
                string(ConfigKey.SERVER_HOST),
                (Integer) value(ConfigKey.SERVER_PORT),
                origins(),
                proxies(),
                (Boolean) value(ConfigKey.SERVER_TLS_TERMINATED_UPSTREAM),
                positive(ConfigKey.SERVER_REQUEST_TIMEOUT),
                positive(ConfigKey.SERVER_IDLE_TIMEOUT),
                publicOrigin());
        var database = new GatehouseConfig.Database(
                string(ConfigKey.DATABASE_URL),
                string(ConfigKey.DATABASE_USERNAME),
                string(ConfigKey.DATABASE_PASSWORD),
                (Integer) value(ConfigKey.DATABASE_POOL_SIZE));
        String brokerUrl = string(ConfigKey.BROKER_URL);
        if (!brokerUrl.equals("memory:")) {
            throw new ConfigException("invalid value for " + ConfigKey.BROKER_URL.key() + " ("
                    + source(ConfigKey.BROKER_URL.key()) + "): only memory: is supported in this version");
        }
        if (!database.embedded()
                && !database.url().startsWith("jdbc:postgresql:")
                && !database.url().startsWith("jdbc:h2:")) {
            // Only the part before any settings: they may hold a password.
            String shown = database.url().split("[?;]", 2)[0];
            throw invalid(ConfigKey.DATABASE_URL.key(), shown, "expected jdbc:postgresql://HOST/DB or jdbc:h2:...");
        }
        String secret = string(ConfigKey.AUTH_JWT_SECRET);
        if (!secret.isEmpty() && secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new ConfigException("invalid value for auth.jwt.secret (" + source(ConfigKey.AUTH_JWT_SECRET.key())
                    + "): an HS256 secret needs at least 32 bytes");
        }
        if (string(ConfigKey.AUTH_JWT_ISSUER).equals(GatehouseConfig.Jwt.GATEHOUSE_ISSUER)) {
            throw invalid(
                    ConfigKey.AUTH_JWT_ISSUER.key(),
                    string(ConfigKey.AUTH_JWT_ISSUER),
                    "'gatehouse' is reserved for the JWTs Gatehouse mints; name the application's issuer");
        }
        var jwt = new GatehouseConfig.Jwt(
                secret,
                stringList(ConfigKey.AUTH_JWT_PUBLIC_KEYS),
                string(ConfigKey.AUTH_JWT_ISSUER),
                string(ConfigKey.AUTH_JWT_AUDIENCE),
                duration(ConfigKey.AUTH_JWT_CLOCK_SKEW),
                httpUrl(ConfigKey.AUTH_JWT_JWKS_URL),
                positive(ConfigKey.AUTH_JWT_JWKS_CACHE_TTL),
                string(ConfigKey.AUTH_JWT_SIGNING_KEY),
                otherIssuers(),
                algorithms());
        Duration defaultTtl = positive(ConfigKey.AUTH_TOKENS_DEFAULT_TTL);
        Duration maxTtl = positive(ConfigKey.AUTH_TOKENS_MAX_TTL);
        if (defaultTtl.compareTo(maxTtl) > 0) {
            // Otherwise every token minted without an explicit ttl would be refused.
            throw invalid(
                    ConfigKey.AUTH_TOKENS_DEFAULT_TTL.key(),
                    raw(ConfigKey.AUTH_TOKENS_DEFAULT_TTL),
                    "longer than auth.tokens.max_ttl (" + raw(ConfigKey.AUTH_TOKENS_MAX_TTL)
                            + "); shorten it or raise auth.tokens.max_ttl");
        }
        var tokens = new GatehouseConfig.Tokens(defaultTtl, maxTtl);
        var session = new GatehouseConfig.Session(
                positive(ConfigKey.AUTH_SESSION_TTL), positive(ConfigKey.AUTH_SESSION_CSRF_MAX_AGE), (Boolean)
                        value(ConfigKey.AUTH_SESSION_ENABLED));
        String scheme = string(ConfigKey.AUTH_INTROSPECTION_SCHEME);
        if (!scheme.equals("Bearer") && !scheme.equals("Token")) {
            throw invalid(ConfigKey.AUTH_INTROSPECTION_SCHEME.key(), scheme, "expected Bearer or Token");
        }
        String idField = string(ConfigKey.AUTH_INTROSPECTION_ID_FIELD);
        if (idField.isEmpty()) {
            throw invalid(
                    ConfigKey.AUTH_INTROSPECTION_ID_FIELD.key(),
                    idField,
                    "must name a field of the backend's JSON answer");
        }
        var introspection = new GatehouseConfig.Introspection(
                httpUrl(ConfigKey.AUTH_INTROSPECTION_URL),
                scheme,
                idField,
                positive(ConfigKey.AUTH_INTROSPECTION_CACHE_TTL),
                positive(ConfigKey.AUTH_INTROSPECTION_NEGATIVE_CACHE_TTL),
                positive(ConfigKey.AUTH_INTROSPECTION_TIMEOUT),
                positive(ConfigKey.AUTH_INTROSPECTION_RECHECK_INTERVAL));
        var auth = new GatehouseConfig.Auth(
                (Boolean) value(ConfigKey.AUTH_ALLOW_QUERY_TOKEN),
                positive(ConfigKey.AUTH_TIMEOUT),
                duration(ConfigKey.AUTH_EXPIRY_WARNING),
                jwt,
                tokens,
                session,
                introspection,
                primarySource());
        var heartbeat = new GatehouseConfig.Heartbeat(
                positive(ConfigKey.HEARTBEAT_INTERVAL), positive(ConfigKey.HEARTBEAT_TIMEOUT));
        long maxBytes = (Long) value(ConfigKey.LIMITS_MAX_MESSAGE_BYTES);
        if (maxBytes > MAX_MESSAGE_BYTES_LIMIT) {
            throw invalid(
                    ConfigKey.LIMITS_MAX_MESSAGE_BYTES.key(), raw(ConfigKey.LIMITS_MAX_MESSAGE_BYTES), "at most 16MiB");
        }
        String policy = string(ConfigKey.LIMITS_DUPLICATE_SESSION_POLICY);
        GatehouseConfig.DuplicatePolicy duplicates = switch (policy.toLowerCase(Locale.ROOT)) {
            case "replace" -> GatehouseConfig.DuplicatePolicy.REPLACE;
            case "reject" -> GatehouseConfig.DuplicatePolicy.REJECT;
            case "allow" -> GatehouseConfig.DuplicatePolicy.ALLOW;
            default ->
                throw invalid(
                        ConfigKey.LIMITS_DUPLICATE_SESSION_POLICY.key(), policy, "expected replace, reject or allow");
        };
        long outbound = (Long) value(ConfigKey.LIMITS_OUTBOUND_BUFFER);
        if (outbound > Integer.MAX_VALUE) {
            throw invalid(
                    ConfigKey.LIMITS_OUTBOUND_BUFFER.key(), raw(ConfigKey.LIMITS_OUTBOUND_BUFFER), "at most 1GiB");
        }
        var limits = new GatehouseConfig.Limits(
                (int) maxBytes,
                duplicates,
                rate(ConfigKey.LIMITS_UPGRADES_PER_IP),
                rate(ConfigKey.LIMITS_UPGRADES_PER_CREDENTIAL),
                (Integer) value(ConfigKey.LIMITS_CONNECTIONS_PER_IP),
                rate(ConfigKey.LIMITS_AUTH_FAILURES_PER_IP),
                rate(ConfigKey.LIMITS_LOGIN_FAILURES_PER_ACCOUNT),
                (Integer) value(ConfigKey.LIMITS_LOGIN_QUEUE),
                rate(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION),
                (Integer) value(ConfigKey.LIMITS_CONNECTIONS_PER_USER),
                (Integer) value(ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION),
                (int) outbound);
        var accessLog = new GatehouseConfig.AccessLog(
                positive(ConfigKey.ACCESS_LOG_RETENTION), (Integer) value(ConfigKey.ACCESS_LOG_BUFFER));
        GatehouseConfig.LogFormat logFormat = switch (string(ConfigKey.LOG_FORMAT)
                .toLowerCase(Locale.ROOT)) {
            case "text" -> GatehouseConfig.LogFormat.TEXT;
            case "json" -> GatehouseConfig.LogFormat.JSON;
            default -> throw invalid(ConfigKey.LOG_FORMAT.key(), string(ConfigKey.LOG_FORMAT), "expected text or json");
        };
        GatehouseConfig.Profile profile = switch (string(ConfigKey.PROFILE).toLowerCase(Locale.ROOT)) {
            case "dev" -> GatehouseConfig.Profile.DEV;
            case "prod" -> GatehouseConfig.Profile.PROD;
            default -> throw invalid(ConfigKey.PROFILE.key(), string(ConfigKey.PROFILE), "expected dev or prod");
        };
        var config = new GatehouseConfig(
                dataDir,
                server,
                database,
                new GatehouseConfig.Broker(brokerUrl),
                auth,
                heartbeat,
                limits,
                new GatehouseConfig.Channels(namespaces()),
                accessLog,
                positive(ConfigKey.SHUTDOWN_DRAIN),
                logFormat,
                profile,
                new GatehouseConfig.Metrics(string(ConfigKey.METRICS_TOKEN)));
        if (profile == GatehouseConfig.Profile.PROD) {
            refuseUnsafe(ProdProfile.problems(config));
        }
        return config;
    }

    private GatehouseConfig.PrimarySource primarySource() {
        String raw = string(ConfigKey.AUTH_PRIMARY_SOURCE);
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "jwt" -> GatehouseConfig.PrimarySource.JWT;
            case "introspection" -> GatehouseConfig.PrimarySource.INTROSPECTION;
            default -> throw invalid(ConfigKey.AUTH_PRIMARY_SOURCE.key(), raw, "expected jwt or introspection");
        };
    }

    /**
     * auth.jwt.other_issuers: {@code NAME=ISSUER} entries, names and issuers each once; never
     * auth.jwt.issuer. The reserved issuer may be listed: another Gatehouse's JWTs, verified by
     * its keys (auth.jwt.jwks_url), then get their own namespace.
     */
    private List<String> otherIssuers() {
        List<String> entries = stringList(ConfigKey.AUTH_JWT_OTHER_ISSUERS);
        java.util.Set<String> names = new java.util.HashSet<>();
        java.util.Set<String> issuers = new java.util.HashSet<>();
        for (String entry : entries) {
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq);
            String iss = eq < 0 ? "" : entry.substring(eq + 1);
            if (!GatehouseConfig.Jwt.ISSUER_NAME.matcher(name).matches()
                    || iss.isEmpty()
                    || iss.equals(string(ConfigKey.AUTH_JWT_ISSUER))
                    || !names.add(name)
                    || !issuers.add(iss)) {
                throw invalid(
                        ConfigKey.AUTH_JWT_OTHER_ISSUERS.key(),
                        entry,
                        "expected NAME=ISSUER (NAME of a-z 0-9 _ . -, at most 32), each name and issuer once, "
                                + "not auth.jwt.issuer");
            }
        }
        return entries;
    }

    /**
     * One exception for every problem, one line each, so an operator fixes them in one pass instead
     * of one restart per key.
     */
    private void refuseUnsafe(List<ProdProfile.Problem> problems) {
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder message = new StringBuilder("profile prod (" + source(ConfigKey.PROFILE.key()) + ") refuses "
                + (problems.size() == 1 ? "an unsafe setting" : problems.size() + " unsafe settings")
                + "; fix each key below, or use profile dev on a development machine:");
        for (ProdProfile.Problem p : problems) {
            message.append("\n  ")
                    .append(p.key().key())
                    .append(" (")
                    .append(source(p.key().key()))
                    .append("): ")
                    .append(p.text());
        }
        throw new ConfigException(message.toString());
    }

    /** {@code auth.jwt.algorithms}: at least one of HS256, RS256, ES256, upper-cased. */
    private java.util.Set<String> algorithms() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String raw : stringList(ConfigKey.AUTH_JWT_ALGORITHMS)) {
            String alg = raw.toUpperCase(Locale.ROOT);
            if (!GatehouseConfig.Jwt.ALGORITHMS.contains(alg)) {
                throw invalid(
                        ConfigKey.AUTH_JWT_ALGORITHMS.key(),
                        raw,
                        "expected HS256, RS256 or ES256 ('none' and other algorithms are never accepted)");
            }
            out.add(alg);
        }
        if (out.isEmpty()) {
            throw invalid(ConfigKey.AUTH_JWT_ALGORITHMS.key(), "", "name at least one of HS256, RS256, ES256");
        }
        return java.util.Set.copyOf(out);
    }

    /** {@code server.allowed_origins}, each {@code scheme://host[:port]} without a path, lower-cased. */
    private List<String> origins() {
        List<String> out = new java.util.ArrayList<>();
        for (String raw : stringList(ConfigKey.SERVER_ALLOWED_ORIGINS)) {
            String o = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
            if (o.equals("*")) {
                throw invalid(
                        ConfigKey.SERVER_ALLOWED_ORIGINS.key(),
                        raw,
                        "a wildcard would let any site use your users' cookies; list the origins");
            }
            try {
                java.net.URI u = new java.net.URI(o);
                if (u.getScheme() == null
                        || u.getHost() == null
                        || (u.getRawPath() != null && !u.getRawPath().isEmpty())
                        || u.getRawQuery() != null) {
                    throw new java.net.URISyntaxException(o, "not an origin");
                }
            } catch (java.net.URISyntaxException e) {
                throw invalid(
                        ConfigKey.SERVER_ALLOWED_ORIGINS.key(),
                        raw,
                        "expected an origin such as https://app.example.com (scheme, host, optional port)");
            }
            out.add(o.toLowerCase(Locale.ROOT));
        }
        return List.copyOf(out);
    }

    /** {@code server.public_url} as an origin, lower-cased; empty when unset. A path is allowed and ignored. */
    private String publicOrigin() {
        String raw = string(ConfigKey.SERVER_PUBLIC_URL);
        if (raw.isEmpty()) {
            return "";
        }
        try {
            java.net.URI u = new java.net.URI(raw);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https"))
                    || u.getHost() == null
                    || u.getRawQuery() != null
                    || u.getRawUserInfo() != null) {
                throw new java.net.URISyntaxException(raw, "not an http(s) URL");
            }
            return (scheme + "://" + u.getHost() + (u.getPort() < 0 ? "" : ":" + u.getPort())).toLowerCase(Locale.ROOT);
        } catch (java.net.URISyntaxException e) {
            throw invalid(
                    ConfigKey.SERVER_PUBLIC_URL.key(),
                    raw,
                    "expected the external URL, such as https://app.example.com");
        }
    }

    private RateLimit rate(ConfigKey key) {
        return (RateLimit) value(key);
    }

    /** {@code server.trusted_proxies}: each an IPv4 or IPv6 address or CIDR. */
    private List<String> proxies() {
        List<String> out = stringList(ConfigKey.SERVER_TRUSTED_PROXIES);
        for (String cidr : out) {
            if (!io.gatehouse.config.Cidr.isValid(cidr)) {
                throw invalid(
                        ConfigKey.SERVER_TRUSTED_PROXIES.key(),
                        cidr,
                        "expected an address or CIDR such as 10.0.0.0/8 or ::1/128");
            }
        }
        return out;
    }

    /** An http(s) URL, or empty. */
    private String httpUrl(ConfigKey key) {
        String url = string(key);
        if (!url.isEmpty() && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw invalid(key.key(), url, "expected an http:// or https:// URL");
        }
        return url;
    }

    private Map<String, NamespaceConfig> namespaces() {
        // Each name, with the key that mentions it and where it came from, for error messages.
        Map<String, String[]> names = new TreeMap<>();
        declaredNamespaces.forEach((name, source) ->
                names.put(name, new String[] {NamespaceKey.PREFIX + name, source}));
        for (String key : settings.keySet()) {
            if (ConfigSources.namespaceKey(key).isPresent()) {
                String rest = key.substring(NamespaceKey.PREFIX.length());
                names.putIfAbsent(rest.substring(0, rest.lastIndexOf('.')), new String[] {key, source(key)});
            }
        }
        Map<String, NamespaceConfig> out = new TreeMap<>();
        names.forEach((name, where) -> {
            if (!NAMESPACE_NAME.matcher(name).matches()) {
                throw new ConfigException("invalid namespace name '" + name + "' in " + where[0] + " (" + where[1]
                        + "): use 1-64 letters, digits, _ - . @ (no ':' or '#')");
            }
            out.put(name, namespace(name));
        });
        return Map.copyOf(out);
    }

    private NamespaceConfig namespace(String name) {
        String subscribeKey = NamespaceKey.SUBSCRIBE.keyFor(name);
        String subscribe = (String) nsValue(name, NamespaceKey.SUBSCRIBE);
        NamespaceConfig.SubscribeRule subscribeRule = switch (subscribe.toLowerCase(Locale.ROOT)) {
            case "authenticated" -> NamespaceConfig.SubscribeRule.AUTHENTICATED;
            case "none" -> NamespaceConfig.SubscribeRule.NONE;
            case "admin" -> NamespaceConfig.SubscribeRule.ADMIN;
            default -> throw invalid(subscribeKey, subscribe, "expected authenticated, none or admin");
        };
        String publishKey = NamespaceKey.PUBLISH.keyFor(name);
        String publish = (String) nsValue(name, NamespaceKey.PUBLISH);
        NamespaceConfig.PublishRule publishRule = switch (publish.toLowerCase(Locale.ROOT)) {
            case "server" -> NamespaceConfig.PublishRule.SERVER;
            case "authenticated" -> NamespaceConfig.PublishRule.AUTHENTICATED;
            default -> throw invalid(publishKey, publish, "expected server or authenticated");
        };
        return new NamespaceConfig(
                subscribeRule,
                publishRule,
                (Integer) nsValue(name, NamespaceKey.HISTORY_SIZE),
                (Duration) nsValue(name, NamespaceKey.HISTORY_TTL),
                (Boolean) nsValue(name, NamespaceKey.PRESENCE),
                (Boolean) nsValue(name, NamespaceKey.JOIN_LEAVE));
    }

    private Object nsValue(String name, NamespaceKey key) {
        return parse(key.keyFor(name), key.type(), key.defaultValue());
    }

    private Object value(ConfigKey key) {
        return parse(key.key(), key.type(), key.defaultValue());
    }

    private Object parse(String key, ValueType type, String defaultValue) {
        ConfigSources.Setting s = settings.get(key);
        Object raw = s == null ? defaultValue : s.raw();
        try {
            return type.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for " + key + " (" + source(key) + "): " + e.getMessage());
        }
    }

    private String string(ConfigKey key) {
        return (String) value(key);
    }

    @SuppressWarnings("unchecked")
    private List<String> stringList(ConfigKey key) {
        return List.copyOf((List<String>) value(key));
    }

    private Duration duration(ConfigKey key) {
        return (Duration) value(key);
    }

    private Duration positive(ConfigKey key) {
        Duration d = duration(key);
        if (d.isZero()) {
            throw invalid(key.key(), raw(key), "must be longer than zero");
        }
        return d;
    }

    /** The value as written, for error messages. */
    private Object raw(ConfigKey key) {
        ConfigSources.Setting s = settings.get(key.key());
        return s == null ? key.defaultValue() : s.raw();
    }

    private String source(String key) {
        ConfigSources.Setting s = settings.get(key);
        return s == null ? "default" : s.source();
    }

    private ConfigException invalid(String key, Object value, String why) {
        return new ConfigException("invalid value for " + key + " (" + source(key) + "): '" + value + "': " + why);
    }
}
