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

    /**
     * The namespace of Gatehouse's own channels, built in: {@code channels.namespaces.gatehouse} is
     * refused at start.
     */
    public static final String BUILT_IN_NAME = "gatehouse";

    /** Its one channel: the node's statistics, as {@code stats_update} pushes (docs/protocol.md). */
    public static final String STATS_CHANNEL = BUILT_IN_NAME + ":stats";

    /** The rules of {@link #BUILT_IN_NAME}: admins subscribe, nobody publishes, no history, no presence. */
    public static final NamespaceConfig BUILT_IN =
            new NamespaceConfig(SubscribeRule.ADMIN, PublishRule.NONE, 0, Duration.ZERO, false, false);

    /** Who may subscribe; {@link #PROXY}: the application decides, per user and channel (channels.proxy.url). */
    public enum SubscribeRule {
        AUTHENTICATED,
        NONE,
        ADMIN,
        PROXY
    }

    /**
     * Who may publish: only the server API, or any authenticated subscriber too, or a client whose
     * publish the application accepted ({@link #PROXY}, channels.proxy.url); nobody in the built-in
     * namespace (not configurable).
     */
    public enum PublishRule {
        SERVER,
        AUTHENTICATED,
        PROXY,
        NONE
    }
}
