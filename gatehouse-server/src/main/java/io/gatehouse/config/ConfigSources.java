package io.gatehouse.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads raw settings from the three sources, in precedence order: a YAML file, then
 * {@code GATEHOUSE_*} environment variables, then command-line flags. Every key is checked
 * against {@link ConfigKey} and {@link NamespaceKey}; an unknown one stops start-up.
 */
public final class ConfigSources {

    /** One raw value and where it came from, for error messages. */
    public record Setting(Object raw, String source) {
    }

    private final Map<String, Setting> settings = new LinkedHashMap<>();

    public ConfigSources yamlFile(Path file) {
        if (file == null) {
            return this;
        }
        Object root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readValue(Files.readAllBytes(file), Object.class);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + e.getMessage());
        }
        if (root == null) {
            return this;
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ConfigException("config file " + file + " must be a YAML map of keys");
        }
        flatten("", map, "config file " + file);
        return this;
    }

    public ConfigSources environment(Map<String, String> env) {
        env.forEach((name, value) -> {
            if (name.startsWith("GATEHOUSE_")) {
                put(keyForEnv(name), value, "environment variable " + name);
            }
        });
        return this;
    }

    /** A flag such as {@code --port}; {@code key} must be a {@link ConfigKey}. */
    public ConfigSources flag(ConfigKey key, Object value, String flagName) {
        if (value != null) {
            put(key.key(), value, "flag " + flagName);
        }
        return this;
    }

    public Map<String, Setting> settings() {
        return settings;
    }

    private void flatten(String prefix, Map<?, ?> map, String source) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            boolean isLeafKey = ConfigKey.byKey(key).isPresent() || namespaceKey(key).isPresent();
            if (value instanceof Map<?, ?> nested && !isLeafKey) {
                flatten(key + ".", nested, source);
            } else {
                put(key, value, source);
            }
        }
    }

    private void put(String key, Object raw, String source) {
        if (ConfigKey.byKey(key).isEmpty() && namespaceKey(key).isEmpty()) {
            throw new ConfigException("unknown configuration key '" + key + "' (" + source + ")"
                    + "; see docs/configuration.md for the keys Gatehouse knows");
        }
        settings.put(key, new Setting(raw, source));
    }

    /** For {@code channels.namespaces.NAME.KEY}, the namespace key; empty for anything else. */
    static Optional<NamespaceKey> namespaceKey(String key) {
        if (!key.startsWith(NamespaceKey.PREFIX)) {
            return Optional.empty();
        }
        String rest = key.substring(NamespaceKey.PREFIX.length());
        int dot = rest.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        return NamespaceKey.byKey(rest.substring(dot + 1));
    }

    private static String keyForEnv(String envName) {
        for (ConfigKey k : ConfigKey.values()) {
            if (k.envName().equals(envName)) {
                return k.key();
            }
        }
        String nsPrefix = ConfigKey.envName(NamespaceKey.PREFIX);
        if (envName.startsWith(nsPrefix)) {
            String rest = envName.substring(nsPrefix.length());
            for (NamespaceKey k : NamespaceKey.values()) {
                String suffix = "_" + k.key().toUpperCase(Locale.ROOT);
                if (rest.endsWith(suffix) && rest.length() > suffix.length()) {
                    String name = rest.substring(0, rest.length() - suffix.length()).toLowerCase(Locale.ROOT);
                    return k.keyFor(name);
                }
            }
        }
        // Not a key: put() reports it with the variable's name.
        return envName;
    }

    static List<String> knownKeys() {
        return java.util.Arrays.stream(ConfigKey.values()).map(ConfigKey::key).toList();
    }
}
