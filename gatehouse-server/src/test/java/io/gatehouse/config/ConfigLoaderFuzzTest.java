package io.gatehouse.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes configuration loading: a YAML file (fuzzed text, or lines of known keys with fuzzed
 * values) and {@code GATEHOUSE_*} environment variables through {@link ConfigSources} and
 * {@link ConfigLoader#load}. Invariant: it loads, or throws {@link ConfigException} with a message;
 * nothing else. A loaded configuration has sane rates and positive durations. See docs/fuzzing.md.
 */
class ConfigLoaderFuzzTest {
    private static final ConfigKey[] KEYS = ConfigKey.values();
    private static final NamespaceKey[] NAMESPACE_KEYS = NamespaceKey.values();
    private static final String[] VALUE_SHAPES = {
        "",
        "0",
        "1",
        "-1",
        "65536",
        "true",
        "no",
        "10s",
        "0ms",
        "99999999999999999999d",
        "16MiB",
        "{rate: 1, burst: 1}",
        "{rate: .nan, burst: 1}",
        "[a, b]",
        "~",
        "!!binary aGk=",
        "&a [*a]",
        "'",
        "\"\\u0000\"",
        "prod",
        "dev",
        "memory:",
        "jdbc:h2:mem:x",
        "http://x",
        "::/0",
        "0.0.0.0/0"
    };
    private static Path file;

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void load(FuzzedDataProvider data) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        int vars = data.consumeInt(0, 4);
        for (int i = 0; i < vars; i++) {
            String name = switch (data.consumeInt(0, 2)) {
                case 0 -> data.pickValue(KEYS).envName();
                case 1 ->
                    ConfigKey.envName(NamespaceKey.PREFIX + data.consumeString(10) + "."
                            + data.pickValue(NAMESPACE_KEYS).key());
                default -> "GATEHOUSE_" + data.consumeString(20);
            };
            env.put(name, data.consumeBoolean() ? data.pickValue(VALUE_SHAPES) : data.consumeString(40));
        }
        String yaml;
        if (data.consumeBoolean()) {
            yaml = data.consumeRemainingAsString();
        } else {
            StringBuilder lines = new StringBuilder();
            int n = data.consumeInt(0, 8);
            for (int i = 0; i < n; i++) {
                String key = data.consumeBoolean()
                        ? data.pickValue(KEYS).key()
                        : NamespaceKey.PREFIX + data.consumeString(10) + "."
                                + data.pickValue(NAMESPACE_KEYS).key();
                String value = data.consumeBoolean() ? data.pickValue(VALUE_SHAPES) : data.consumeString(40);
                lines.append(key).append(": ").append(value).append('\n');
            }
            lines.append(data.consumeRemainingAsString());
            yaml = lines.toString();
        }
        Files.writeString(file(), yaml, StandardCharsets.UTF_8);
        GatehouseConfig config;
        try {
            config = ConfigLoader.load(new ConfigSources().yamlFile(file()).environment(env));
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(config).isNotNull();
        for (RateLimit rate : new RateLimit[] {
            config.limits().upgradesPerIp(),
            config.limits().authFailuresPerIp(),
            config.limits().messagesPerConnection()
        }) {
            assertThat(rate.ratePerSecond()).as("rate of %s", rate).isFinite().isPositive();
            assertThat(rate.burst()).isPositive();
        }
        assertThat(config.heartbeat().interval()).isPositive();
        assertThat(config.auth().timeout()).isPositive();
        assertThat(config.limits().maxMessageBytes()).isPositive();
        assertThat(config.limits().outboundBufferBytes()).isPositive();
    }

    private static synchronized Path file() throws IOException {
        if (file == null) {
            file = Files.createTempFile("gatehouse-config-fuzz", ".yaml");
            file.toFile().deleteOnExit();
        }
        return file;
    }
}
