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

    private final Settings settings;
    private final Map<String, String> declaredNamespaces;

    private ConfigLoader(Settings settings, Map<String, String> declaredNamespaces) {
        this.settings = settings;
        this.declaredNamespaces = declaredNamespaces;
    }

    /**
     * Validates every setting and builds the configuration.
     *
     * @throws ConfigException naming the first key that is unknown or has an invalid value
     */
    public static GatehouseConfig load(ConfigSources sources) {
        return new ConfigLoader(new Settings(sources.settings()), sources.declaredNamespaces()).build();
    }

    /** The embedded defaults with nothing overridden. */
    public static GatehouseConfig defaults() {
        return load(new ConfigSources());
    }

    private GatehouseConfig build() {
        Path dataDir =
                ((Path) settings.value(ConfigKey.DATA_DIR)).toAbsolutePath().normalize();
        var server = new GatehouseConfig.Server(
                settings.string(ConfigKey.SERVER_HOST),
                (Integer) settings.value(ConfigKey.SERVER_PORT),
                origins(),
                proxies(),
                (Boolean) settings.value(ConfigKey.SERVER_TLS_TERMINATED_UPSTREAM),
                settings.positive(ConfigKey.SERVER_REQUEST_TIMEOUT),
                settings.positive(ConfigKey.SERVER_IDLE_TIMEOUT),
                publicOrigin());
        var database = new GatehouseConfig.Database(
                settings.string(ConfigKey.DATABASE_URL),
                settings.string(ConfigKey.DATABASE_USERNAME),
                settings.string(ConfigKey.DATABASE_PASSWORD),
                (Integer) settings.value(ConfigKey.DATABASE_POOL_SIZE));
        var broker = BrokerSettings.read(settings);
        if (!database.embedded()
                && !database.url().startsWith("jdbc:postgresql:")
                && !database.url().startsWith("jdbc:h2:")) {
            // Only the part before any settings: they may hold a password.
            String shown = database.url().split("[?;]", 2)[0];
            throw settings.invalid(
                    ConfigKey.DATABASE_URL.key(), shown, "expected jdbc:postgresql://HOST/DB or jdbc:h2:...");
        }
        var auth = AuthSettings.read(settings);
        var heartbeat = new GatehouseConfig.Heartbeat(
                settings.positive(ConfigKey.HEARTBEAT_INTERVAL), settings.positive(ConfigKey.HEARTBEAT_TIMEOUT));
        long maxBytes = (Long) settings.value(ConfigKey.LIMITS_MAX_MESSAGE_BYTES);
        if (maxBytes > MAX_MESSAGE_BYTES_LIMIT) {
            throw settings.invalid(
                    ConfigKey.LIMITS_MAX_MESSAGE_BYTES.key(),
                    settings.raw(ConfigKey.LIMITS_MAX_MESSAGE_BYTES),
                    "at most 16MiB");
        }
        String policy = settings.string(ConfigKey.LIMITS_DUPLICATE_SESSION_POLICY);
        GatehouseConfig.DuplicatePolicy duplicates = switch (policy.toLowerCase(Locale.ROOT)) {
            case "replace" -> GatehouseConfig.DuplicatePolicy.REPLACE;
            case "reject" -> GatehouseConfig.DuplicatePolicy.REJECT;
            case "allow" -> GatehouseConfig.DuplicatePolicy.ALLOW;
            default ->
                throw settings.invalid(
                        ConfigKey.LIMITS_DUPLICATE_SESSION_POLICY.key(), policy, "expected replace, reject or allow");
        };
        long outbound = (Long) settings.value(ConfigKey.LIMITS_OUTBOUND_BUFFER);
        if (outbound > Integer.MAX_VALUE) {
            throw settings.invalid(
                    ConfigKey.LIMITS_OUTBOUND_BUFFER.key(),
                    settings.raw(ConfigKey.LIMITS_OUTBOUND_BUFFER),
                    "at most 1GiB");
        }
        var limits = new GatehouseConfig.Limits(
                (int) maxBytes,
                duplicates,
                settings.rate(ConfigKey.LIMITS_UPGRADES_PER_IP),
                settings.rate(ConfigKey.LIMITS_UPGRADES_PER_CREDENTIAL),
                (Integer) settings.value(ConfigKey.LIMITS_CONNECTIONS_PER_IP),
                settings.rate(ConfigKey.LIMITS_AUTH_FAILURES_PER_IP),
                settings.rate(ConfigKey.LIMITS_LOGIN_FAILURES_PER_ACCOUNT),
                (Integer) settings.value(ConfigKey.LIMITS_LOGIN_QUEUE),
                settings.rate(ConfigKey.LIMITS_MESSAGES_PER_CONNECTION),
                (Integer) settings.value(ConfigKey.LIMITS_CONNECTIONS_PER_USER),
                (Integer) settings.value(ConfigKey.LIMITS_SUBSCRIPTIONS_PER_CONNECTION),
                (int) outbound);
        var accessLog = new GatehouseConfig.AccessLog(settings.positive(ConfigKey.ACCESS_LOG_RETENTION), (Integer)
                settings.value(ConfigKey.ACCESS_LOG_BUFFER));
        GatehouseConfig.LogFormat logFormat = switch (settings.string(ConfigKey.LOG_FORMAT)
                .toLowerCase(Locale.ROOT)) {
            case "text" -> GatehouseConfig.LogFormat.TEXT;
            case "json" -> GatehouseConfig.LogFormat.JSON;
            default ->
                throw settings.invalid(
                        ConfigKey.LOG_FORMAT.key(), settings.string(ConfigKey.LOG_FORMAT), "expected text or json");
        };
        GatehouseConfig.Profile profile =
                switch (settings.string(ConfigKey.PROFILE).toLowerCase(Locale.ROOT)) {
                    case "dev" -> GatehouseConfig.Profile.DEV;
                    case "prod" -> GatehouseConfig.Profile.PROD;
                    default ->
                        throw settings.invalid(
                                ConfigKey.PROFILE.key(), settings.string(ConfigKey.PROFILE), "expected dev or prod");
                };
        Map<String, NamespaceConfig> namespaces = namespaces();
        var config = new GatehouseConfig(
                dataDir,
                server,
                database,
                broker,
                auth,
                heartbeat,
                limits,
                new GatehouseConfig.Channels(namespaces),
                accessLog,
                settings.positive(ConfigKey.SHUTDOWN_DRAIN),
                logFormat,
                profile,
                new GatehouseConfig.Metrics(settings.string(ConfigKey.METRICS_TOKEN)),
                new GatehouseConfig.Tasks(
                        settings.positive(ConfigKey.TASKS_PUSH_INTERVAL), settings.positive(ConfigKey.TASKS_RETENTION)),
                HookSettings.read(settings),
                new GatehouseConfig.Dashboard(statsInterval()),
                ProxySettings.read(settings, namespaces),
                new GatehouseConfig.Publish(settings.positive(ConfigKey.PUBLISH_IDEMPOTENCY_WINDOW)));
        if (profile == GatehouseConfig.Profile.PROD) {
            refuseUnsafe(ProdProfile.problems(config));
        }
        return config;
    }

    /**
     * One exception for every problem, one line each, so an operator fixes them in one pass instead
     * of one restart per key.
     */
    private void refuseUnsafe(List<ProdProfile.Problem> problems) {
        if (problems.isEmpty()) {
            return;
        }
        StringBuilder message =
                new StringBuilder("profile prod (" + settings.source(ConfigKey.PROFILE.key()) + ") refuses "
                        + (problems.size() == 1 ? "an unsafe setting" : problems.size() + " unsafe settings")
                        + "; fix each key below, or use profile dev on a development machine:");
        for (ProdProfile.Problem p : problems) {
            message.append("\n  ")
                    .append(p.key().key())
                    .append(" (")
                    .append(settings.source(p.key().key()))
                    .append("): ")
                    .append(p.text());
        }
        throw new ConfigException(message.toString());
    }

    /** {@code server.allowed_origins}, each {@code scheme://host[:port]} without a path, lower-cased. */
    private List<String> origins() {
        List<String> out = new java.util.ArrayList<>();
        for (String raw : settings.stringList(ConfigKey.SERVER_ALLOWED_ORIGINS)) {
            String o = raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
            if (o.equals("*")) {
                throw settings.invalid(
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
                out.add(origin(u));
            } catch (java.net.URISyntaxException e) {
                throw settings.invalid(
                        ConfigKey.SERVER_ALLOWED_ORIGINS.key(),
                        raw,
                        "expected an origin such as https://app.example.com (scheme, host, optional port)");
            }
        }
        return List.copyOf(out);
    }

    /** {@code server.public_url} as an origin, lower-cased; empty when unset. A path is allowed and ignored. */
    private String publicOrigin() {
        String raw = settings.string(ConfigKey.SERVER_PUBLIC_URL);
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
            return origin(u);
        } catch (java.net.URISyntaxException e) {
            throw settings.invalid(
                    ConfigKey.SERVER_PUBLIC_URL.key(),
                    raw,
                    "expected the external URL, such as https://app.example.com");
        }
    }

    /**
     * {@code scheme://host[:port]} of {@code u}, lower-cased, as a browser writes it in Origin: without
     * the scheme's default port ({@code https://app.example.com}, never {@code :443}).
     */
    private static String origin(java.net.URI u) {
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        int port = u.getPort();
        boolean defaultPort = (port == 443 && scheme.equals("https")) || (port == 80 && scheme.equals("http"));
        return (scheme + "://" + u.getHost() + (port < 0 || defaultPort ? "" : ":" + port)).toLowerCase(Locale.ROOT);
    }

    /** {@code server.trusted_proxies}: each an IPv4 or IPv6 address or CIDR. */
    private List<String> proxies() {
        List<String> out = settings.stringList(ConfigKey.SERVER_TRUSTED_PROXIES);
        for (String cidr : out) {
            if (!io.gatehouse.config.Cidr.isValid(cidr)) {
                throw settings.invalid(
                        ConfigKey.SERVER_TRUSTED_PROXIES.key(),
                        cidr,
                        "expected an address or CIDR such as 10.0.0.0/8 or ::1/128");
            }
        }
        return out;
    }

    private Duration statsInterval() {
        Duration d = settings.duration(ConfigKey.DASHBOARD_STATS_INTERVAL);
        if (d.compareTo(GatehouseConfig.Dashboard.MIN_STATS_INTERVAL) < 0) {
            throw settings.invalid(
                    ConfigKey.DASHBOARD_STATS_INTERVAL.key(),
                    settings.raw(ConfigKey.DASHBOARD_STATS_INTERVAL),
                    "at least 100ms");
        }
        return d;
    }

    private Map<String, NamespaceConfig> namespaces() {
        // Each name, with the key that mentions it and where it came from, for error messages.
        Map<String, String[]> names = new TreeMap<>();
        declaredNamespaces.forEach((name, source) ->
                names.put(name, new String[] {NamespaceKey.PREFIX + name, source}));
        for (String key : settings.keys()) {
            if (ConfigSources.namespaceKey(key).isPresent()) {
                String rest = key.substring(NamespaceKey.PREFIX.length());
                names.putIfAbsent(rest.substring(0, rest.lastIndexOf('.')), new String[] {key, settings.source(key)});
            }
        }
        Map<String, NamespaceConfig> out = new TreeMap<>();
        names.forEach((name, where) -> {
            if (!NAMESPACE_NAME.matcher(name).matches()) {
                throw new ConfigException("invalid namespace name '" + name + "' in " + where[0] + " (" + where[1]
                        + "): use 1-64 letters, digits, _ - . @ (no ':' or '#')");
            }
            if (name.equals(NamespaceConfig.BUILT_IN_NAME)) {
                throw new ConfigException(NamespaceKey.PREFIX + name + " is reserved (" + where[0] + ", " + where[1]
                        + "): the namespace " + name + " is built in (" + NamespaceConfig.STATS_CHANNEL
                        + ", the node's statistics for admins); use another name");
            }
            out.put(name, namespace(name));
        });
        return Map.copyOf(out);
    }

    private NamespaceConfig namespace(String name) {
        String subscribeKey = NamespaceKey.SUBSCRIBE.keyFor(name);
        String subscribe = (String) settings.namespaceValue(name, NamespaceKey.SUBSCRIBE);
        NamespaceConfig.SubscribeRule subscribeRule = switch (subscribe.toLowerCase(Locale.ROOT)) {
            case "authenticated" -> NamespaceConfig.SubscribeRule.AUTHENTICATED;
            case "none" -> NamespaceConfig.SubscribeRule.NONE;
            case "admin" -> NamespaceConfig.SubscribeRule.ADMIN;
            case "proxy" -> NamespaceConfig.SubscribeRule.PROXY;
            default -> throw settings.invalid(subscribeKey, subscribe, "expected authenticated, none, admin or proxy");
        };
        String publishKey = NamespaceKey.PUBLISH.keyFor(name);
        String publish = (String) settings.namespaceValue(name, NamespaceKey.PUBLISH);
        NamespaceConfig.PublishRule publishRule = switch (publish.toLowerCase(Locale.ROOT)) {
            case "server" -> NamespaceConfig.PublishRule.SERVER;
            case "authenticated" -> NamespaceConfig.PublishRule.AUTHENTICATED;
            case "proxy" -> NamespaceConfig.PublishRule.PROXY;
            default -> throw settings.invalid(publishKey, publish, "expected server, authenticated or proxy");
        };
        return new NamespaceConfig(
                subscribeRule,
                publishRule,
                (Integer) settings.namespaceValue(name, NamespaceKey.HISTORY_SIZE),
                (Duration) settings.namespaceValue(name, NamespaceKey.HISTORY_TTL),
                (Boolean) settings.namespaceValue(name, NamespaceKey.PRESENCE),
                (Boolean) settings.namespaceValue(name, NamespaceKey.JOIN_LEAVE));
    }
}
