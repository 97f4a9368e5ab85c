package io.gatehouse.config;

import java.time.Duration;

/** The rules of one channel namespace (SPEC §5). */
public record NamespaceConfig(
        SubscribeRule subscribe,
        PublishRule publish,
        int historySize,
        Duration historyTtl,
        boolean presence,
        boolean joinLeave) {

    /** The rules for channels without a namespace. */
    public static final NamespaceConfig DEFAULT = new NamespaceConfig(
            SubscribeRule.AUTHENTICATED, PublishRule.SERVER, 100, Duration.ofMinutes(5), false, false);

    /** Who may subscribe. */
    public enum SubscribeRule {
        AUTHENTICATED,
        NONE,
        ADMIN
    }

    /** Who may publish: only the server API, or any authenticated subscriber too. */
    public enum PublishRule {
        SERVER,
        AUTHENTICATED
    }
}
