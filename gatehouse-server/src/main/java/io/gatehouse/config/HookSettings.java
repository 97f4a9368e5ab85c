package io.gatehouse.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The {@code hooks.*} keys (docs/webhooks.md), read and checked together; each error names its key. */
final class HookSettings {
    /**
     * Every webhook event type, as {@code hooks.events} names them. {@code io.gatehouse.hooks} sends
     * them; a type added there is added here, and to docs/webhooks.md.
     */
    static final List<String> EVENT_TYPES = List.of(
            "connection.opened",
            "connection.closed",
            "presence.joined",
            "presence.left",
            "token.revoked",
            "task.cancel_requested");

    /** The most the backoff between two attempts may be (SPEC §9). */
    static final Duration MAX_RETRY_CAP = Duration.ofMinutes(10);

    private HookSettings() {}

    static GatehouseConfig.Hooks read(Settings settings) {
        String url = settings.string(ConfigKey.HOOKS_URL);
        if (!url.isEmpty()) {
            checkUrl(settings, ConfigKey.HOOKS_URL, url);
        }
        String secret = settings.string(ConfigKey.HOOKS_SECRET);
        if (!url.isEmpty() && secret.isEmpty()) {
            throw settings.invalid(
                    ConfigKey.HOOKS_SECRET.key(),
                    "",
                    "required when hooks.url is set: the receiver checks each event's signature with it;"
                            + " set it to at least 32 random bytes (e.g. openssl rand -base64 48)");
        }
        List<String> events = settings.stringList(ConfigKey.HOOKS_EVENTS);
        for (String type : events) {
            if (!EVENT_TYPES.contains(type)) {
                throw settings.invalid(
                        ConfigKey.HOOKS_EVENTS.key(),
                        type,
                        "expected event types among " + String.join(", ", EVENT_TYPES));
            }
        }
        Duration base = settings.positive(ConfigKey.HOOKS_RETRY_BASE);
        Duration cap = settings.positive(ConfigKey.HOOKS_RETRY_CAP);
        if (cap.compareTo(MAX_RETRY_CAP) > 0) {
            throw settings.invalid(
                    ConfigKey.HOOKS_RETRY_CAP.key(), settings.raw(ConfigKey.HOOKS_RETRY_CAP), "at most 10m");
        }
        if (base.compareTo(cap) > 0) {
            throw settings.invalid(
                    ConfigKey.HOOKS_RETRY_BASE.key(),
                    settings.raw(ConfigKey.HOOKS_RETRY_BASE),
                    "at most hooks.retry_cap (" + settings.raw(ConfigKey.HOOKS_RETRY_CAP) + ")");
        }
        return new GatehouseConfig.Hooks(
                url,
                secret,
                settings.stringList(ConfigKey.HOOKS_PREVIOUS_SECRETS),
                events,
                (Integer) settings.value(ConfigKey.HOOKS_MAX_ATTEMPTS),
                (Integer) settings.value(ConfigKey.HOOKS_MAX_QUEUE),
                settings.positive(ConfigKey.HOOKS_TIMEOUT),
                base,
                cap);
    }

    /** An absolute http(s) URL with a host, and no user info (a password would end up in logs). */
    static void checkUrl(Settings settings, ConfigKey key, String url) {
        try {
            URI u = new URI(url);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if ((scheme.equals("http") || scheme.equals("https"))
                    && u.getHost() != null
                    && u.getRawUserInfo() == null) {
                return;
            }
        } catch (URISyntaxException e) {
            // answered below
        }
        // A URL with user info may hold a password: it is not repeated in the message.
        throw settings.invalid(
                key.key(),
                url.contains("@") ? "(not shown)" : url,
                "expected an http:// or https:// URL without user info, such as https://app.example.com/gatehouse");
    }
}
