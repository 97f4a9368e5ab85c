package io.gatehouse.cli;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigLoader;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.config.GatehouseConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --data-dir}, {@code --config} and {@code --profile}, shared by every command that loads the configuration. */
final class ConfigOptions {
    @Option(
            names = "--data-dir",
            paramLabel = "DIR",
            description = "Data directory (embedded database, generated secret). Default: ./gatehouse-data")
    Path dataDir;

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "YAML configuration file; GATEHOUSE_* variables and flags override it.")
    Path configFile;

    @Option(
            names = "--profile",
            paramLabel = "PROFILE",
            description = "dev, or prod to refuse unsafe settings at start (profile). Default: dev")
    String profile;

    /** The configuration from the file, the environment, then these flags and {@code flags}. */
    GatehouseConfig load(Map<ConfigKey, Object> flags) {
        return ConfigLoader.load(sources(flags));
    }

    /** The file, the environment, then these flags and {@code flags}, not validated yet. */
    ConfigSources sources(Map<ConfigKey, Object> flags) {
        ConfigSources sources = new ConfigSources().yamlFile(configFile).environment(System.getenv());
        sources.flag(ConfigKey.DATA_DIR, dataDir, "--data-dir");
        sources.flag(ConfigKey.PROFILE, profile, "--profile");
        flags.forEach((key, value) ->
                sources.flag(key, value, "--" + key.key().substring(key.key().lastIndexOf('.') + 1)));
        return sources;
    }
}
