package io.gatehouse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The configuration as written: each key's raw value and where it came from (a file, the
 * environment, a flag, or the default), read as the key's {@link ValueType}. Every error names the
 * key and its source, so an operator knows which line to fix.
 */
final class Settings {
    private final Map<String, ConfigSources.Setting> settings;

    Settings(Map<String, ConfigSources.Setting> settings) {
        this.settings = settings;
    }

    /** The keys that were set. */
    Set<String> keys() {
        return settings.keySet();
    }

    Object value(ConfigKey key) {
        return parse(key.key(), key.type(), key.defaultValue());
    }

    /** {@code key} of the namespace {@code name}. */
    Object namespaceValue(String name, NamespaceKey key) {
        return parse(key.keyFor(name), key.type(), key.defaultValue());
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

    String string(ConfigKey key) {
        return (String) value(key);
    }

    @SuppressWarnings("unchecked")
    List<String> stringList(ConfigKey key) {
        return List.copyOf((List<String>) value(key));
    }

    Duration duration(ConfigKey key) {
        return (Duration) value(key);
    }

    Duration positive(ConfigKey key) {
        Duration d = duration(key);
        if (d.isZero()) {
            throw invalid(key.key(), raw(key), "must be longer than zero");
        }
        return d;
    }

    RateLimit rate(ConfigKey key) {
        return (RateLimit) value(key);
    }

    /** An http(s) URL, or empty. */
    String httpUrl(ConfigKey key) {
        String url = string(key);
        if (!url.isEmpty() && !url.startsWith("http://") && !url.startsWith("https://")) {
            throw invalid(key.key(), url, "expected an http:// or https:// URL");
        }
        return url;
    }

    /** The value as written, for error messages. */
    Object raw(ConfigKey key) {
        ConfigSources.Setting s = settings.get(key.key());
        return s == null ? key.defaultValue() : s.raw();
    }

    /** Where {@code key} was set: a file, the environment, a flag, or "default". */
    String source(String key) {
        ConfigSources.Setting s = settings.get(key);
        return s == null ? "default" : s.source();
    }

    ConfigException invalid(String key, Object value, String why) {
        return new ConfigException("invalid value for " + key + " (" + source(key) + "): '" + value + "': " + why);
    }
}
