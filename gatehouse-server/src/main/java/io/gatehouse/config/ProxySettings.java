package io.gatehouse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code channels.proxy.*} keys (docs/integrations.md), read and checked together with the
 * namespaces that use the proxy: a {@code subscribe: proxy} or {@code publish: proxy} namespace
 * without {@code channels.proxy.url} is refused at start, naming both keys.
 */
final class ProxySettings {
    private ProxySettings() {}

    static GatehouseConfig.Proxy read(Settings settings, Map<String, NamespaceConfig> namespaces) {
        String url = settings.string(ConfigKey.CHANNELS_PROXY_URL);
        String secret = settings.string(ConfigKey.CHANNELS_PROXY_SECRET);
        if (url.isEmpty()) {
            namespaces.forEach((name, ns) -> {
                NamespaceKey key = ns.subscribe() == NamespaceConfig.SubscribeRule.PROXY
                        ? NamespaceKey.SUBSCRIBE
                        : ns.publish() == NamespaceConfig.PublishRule.PROXY ? NamespaceKey.PUBLISH : null;
                if (key != null) {
                    throw settings.invalid(
                            key.keyFor(name),
                            "proxy",
                            "needs channels.proxy.url: the application endpoint that decides (docs/integrations.md)");
                }
            });
        } else {
            HookSettings.checkUrl(settings, ConfigKey.CHANNELS_PROXY_URL, url);
            if (secret.isEmpty()) {
                throw settings.invalid(
                        ConfigKey.CHANNELS_PROXY_SECRET.key(),
                        "",
                        "required when channels.proxy.url is set: the application checks each call's signature with it;"
                                + " set it to at least 32 random bytes (e.g. openssl rand -base64 48)");
            }
        }
        List<String> secrets = new ArrayList<>();
        if (!secret.isEmpty()) {
            secrets.add(secret);
        }
        secrets.addAll(settings.stringList(ConfigKey.CHANNELS_PROXY_PREVIOUS_SECRETS));
        return new GatehouseConfig.Proxy(
                url,
                secrets,
                settings.positive(ConfigKey.CHANNELS_PROXY_TIMEOUT),
                settings.duration(ConfigKey.CHANNELS_PROXY_CACHE_TTL),
                settings.positive(ConfigKey.CHANNELS_PROXY_RECHECK_INTERVAL));
    }
}
