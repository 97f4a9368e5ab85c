package io.gatehouse.config;

/** The keys of one channel namespace, {@code channels.namespaces.NAME.<key>} (SPEC §5). */
public enum NamespaceKey {
    SUBSCRIBE("subscribe", ValueType.STRING, "authenticated"),
    PUBLISH("publish", ValueType.STRING, "server"),
    HISTORY_SIZE("history_size", ValueType.NON_NEGATIVE_INT, "100"),
    HISTORY_TTL("history_ttl", ValueType.DURATION, "5m"),
    PRESENCE("presence", ValueType.BOOLEAN, "false"),
    JOIN_LEAVE("join_leave", ValueType.BOOLEAN, "false");

    public static final String PREFIX = "channels.namespaces.";

    private final String key;
    private final ValueType type;
    private final String defaultValue;

    NamespaceKey(String key, ValueType type, String defaultValue) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
    }

    public String key() {
        return key;
    }

    public ValueType type() {
        return type;
    }

    public String defaultValue() {
        return defaultValue;
    }

    /** The full dotted key for namespace {@code name}. */
    public String keyFor(String name) {
        return PREFIX + name + "." + key;
    }

    public static java.util.Optional<NamespaceKey> byKey(String key) {
        for (NamespaceKey k : values()) {
            if (k.key.equals(key)) {
                return java.util.Optional.of(k);
            }
        }
        return java.util.Optional.empty();
    }
}
