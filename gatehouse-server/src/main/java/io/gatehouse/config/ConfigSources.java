package io.gatehouse.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Reads raw settings from the three sources. Precedence is fixed, whatever order the sources are
 * added in: a YAML file, then {@code GATEHOUSE_*} environment variables, then command-line flags.
 * Every key is checked against {@link ConfigKey} and {@link NamespaceKey}; an unknown one stops
 * start-up.
 */
public final class ConfigSources {

    /** One raw value and where it came from, for error messages. */
    public record Setting(Object raw, String source) {}

    /** The sources, lowest precedence first. */
    private enum Layer {
        FILE,
        ENVIRONMENT,
        FLAG
    }

    /** How far apart (in edits) an unknown key may be from a known one to be suggested. */
    private static final int SUGGESTION_DISTANCE = 3;

    private final Map<Layer, Map<String, Setting>> layers = new EnumMap<>(Layer.class);
    /** Namespaces written without any key ({@code chat: {}}), by name, with where they were written. */
    private final Map<String, String> declaredNamespaces = new LinkedHashMap<>();

    public ConfigSources yamlFile(Path file) {
        if (file == null) {
            return this;
        }
        Object root;
        try {
            ObjectMapper yaml =
                    new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            // readTree, not readValue: a file holding only comments is an empty configuration.
            JsonNode tree = yaml.readTree(Files.readAllBytes(file));
            root = tree == null || tree.isMissingNode() ? null : yaml.treeToValue(tree, Object.class);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist");
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ConfigException("cannot read config file " + file
                    + (at == null ? "" : " (line " + at.getLineNr() + ")") + ": " + e.getOriginalMessage());
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

    /** The {@code GATEHOUSE_*} variables of {@code env}; other variables are ignored. */
    public ConfigSources environment(Map<String, String> env) {
        env.forEach((name, value) -> {
            if (name.startsWith("GATEHOUSE_")) {
                put(Layer.ENVIRONMENT, keyForEnv(name), value, "environment variable " + name);
            }
        });
        return this;
    }

    /** A flag such as {@code --port}; {@code key} must be a {@link ConfigKey}. A null value is no flag. */
    public ConfigSources flag(ConfigKey key, Object value, String flagName) {
        if (value != null) {
            put(Layer.FLAG, key.key(), value, "flag " + flagName);
        }
        return this;
    }

    /** Every key set by any source, with the value of the source that wins. */
    public Map<String, Setting> settings() {
        Map<String, Setting> merged = new LinkedHashMap<>();
        for (Layer layer : Layer.values()) {
            merged.putAll(layers.getOrDefault(layer, Map.of()));
        }
        return Collections.unmodifiableMap(merged);
    }

    /** Namespaces declared without keys, by name, with the source that declared them. */
    Map<String, String> declaredNamespaces() {
        return Collections.unmodifiableMap(declaredNamespaces);
    }

    private void flatten(String prefix, Map<?, ?> map, String source) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            Object value = e.getValue();
            boolean isLeafKey =
                    ConfigKey.byKey(key).isPresent() || namespaceKey(key).isPresent();
            boolean isEmpty = value == null || value instanceof Map<?, ?> m && m.isEmpty();
            if (prefix.equals(NamespaceKey.PREFIX) && isEmpty) {
                // "chat: {}" declares the namespace with every rule at its default.
                declaredNamespaces.putIfAbsent(key.substring(prefix.length()), source);
            } else if (value instanceof Map<?, ?> nested && !isLeafKey) {
                flatten(key + ".", nested, source);
            } else if (value == null && !isLeafKey && isSection(key)) {
                // "server:" with every key below it commented out: an empty section, not a value.
                continue;
            } else {
                put(Layer.FILE, key, value, source);
            }
        }
    }

    private void put(Layer layer, String key, Object raw, String source) {
        if (ConfigKey.byKey(key).isEmpty() && namespaceKey(key).isEmpty()) {
            throw new ConfigException("unknown configuration key '" + key + "' (" + source + ")"
                    + suggestion(key, layer == Layer.ENVIRONMENT)
                    + "; see docs/configuration.md for the keys Gatehouse knows");
        }
        layers.computeIfAbsent(layer, l -> new LinkedHashMap<>()).put(key, new Setting(raw, source));
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

    /** Whether {@code key} is a group of keys, such as {@code server} or {@code channels.namespaces}. */
    private static boolean isSection(String key) {
        if (NamespaceKey.PREFIX.startsWith(key + ".")) {
            return true;
        }
        for (ConfigKey k : ConfigKey.values()) {
            if (k.key().startsWith(key + ".")) {
                return true;
            }
        }
        return false;
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
                    String name =
                            rest.substring(0, rest.length() - suffix.length()).toLowerCase(Locale.ROOT);
                    return k.keyFor(name);
                }
            }
        }
        // Not a key: put() reports it with the variable's name.
        return envName;
    }

    /** {@code "; did you mean 'server.port'?"} when a known key is a near miss; empty otherwise. */
    private static String suggestion(String unknown, boolean environmentForm) {
        List<String> candidates = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            candidates.add(environmentForm ? k.envName() : k.key());
        }
        String best = null;
        int bestDistance = SUGGESTION_DISTANCE + 1;
        for (String candidate : candidates) {
            int d = editDistance(unknown, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best == null ? "" : "; did you mean '" + best + "'?";
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
