package io.gatehouse.permissions;

import io.gatehouse.auth.Principal;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.NamespaceConfig;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;

/**
 * Who may subscribe to and publish on a channel (SPEC §5). The admin role and the JWT
 * {@code channels} claim allow subscribing to anything; otherwise the namespace's {@code subscribe}
 * rule applies, and a user-limited channel ({@code #}) further admits only its listed users.
 * Clients may publish only where the namespace says {@code publish: authenticated}, and only to
 * channels they may subscribe to. The built-in namespace {@code gatehouse} has one channel,
 * {@code gatehouse:stats}: admins (and nobody else, whatever the token's channels claim) subscribe;
 * nobody publishes, not even the server API.
 */
public final class ChannelAccess {
    private final GatehouseConfig.Channels channels;

    public ChannelAccess(GatehouseConfig.Channels channels) {
        this.channels = channels;
    }

    /** Null when allowed; otherwise why not. */
    public Refusal checkSubscribe(Principal principal, ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == NamespaceConfig.BUILT_IN) {
            if (!channel.value().equals(NamespaceConfig.STATS_CHANNEL)) {
                return builtIn();
            }
            return principal.user().isAdmin()
                    ? null
                    : RefusalCode.PERMISSION_DENIED.refusal(
                            "Only admins may subscribe to " + NamespaceConfig.STATS_CHANNEL);
        }
        if (principal.user().isAdmin() || principal.channels().contains(channel.value())) {
            return null;
        }
        if (ns == null) {
            return unknownNamespace(channel);
        }
        if (channel.isUserLimited()
                && !channel.allowedUsers().contains(principal.user().id())) {
            return RefusalCode.PERMISSION_DENIED.refusal("Only the users listed after # may subscribe to " + channel);
        }
        return switch (ns.subscribe()) {
            // The application decides next (subscribeAsksApplication): a user-limited channel already
            // excluded everyone it does not list.
            case AUTHENTICATED, PROXY -> null;
            case ADMIN ->
                RefusalCode.PERMISSION_DENIED.refusal("Only admins may subscribe to " + namespaceLabel(channel));
            case NONE ->
                RefusalCode.PERMISSION_DENIED.refusal("Subscribing to " + namespaceLabel(channel)
                        + " needs the channel in the token's channels claim");
        };
    }

    /**
     * Whether a subscription that {@link #checkSubscribe} allowed still needs the application's yes:
     * the namespace says {@code subscribe: proxy} and neither the admin role nor the token's
     * {@code channels} claim already allows it.
     */
    public boolean subscribeAsksApplication(Principal principal, ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        return ns != null
                && ns.subscribe() == NamespaceConfig.SubscribeRule.PROXY
                && !principal.user().isAdmin()
                && !principal.channels().contains(channel.value());
    }

    /** Whether a client publish that {@link #checkClientPublish} allowed goes to the application first. */
    public boolean publishAsksApplication(ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        return ns != null && ns.publish() == NamespaceConfig.PublishRule.PROXY;
    }

    /**
     * Null when a client connection may publish; otherwise why not. In a {@code publish: proxy}
     * namespace the application decides instead ({@link #publishAsksApplication}), subscribed or not.
     */
    public Refusal checkClientPublish(Principal principal, ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == null) {
            return unknownNamespace(channel);
        }
        if (ns.publish() == NamespaceConfig.PublishRule.NONE) {
            return builtIn();
        }
        if (ns.publish() == NamespaceConfig.PublishRule.SERVER) {
            return RefusalCode.PERMISSION_DENIED.refusal(
                    "Only the server API publishes to " + namespaceLabel(channel) + " (namespace publish: server)");
        }
        return ns.publish() == NamespaceConfig.PublishRule.PROXY ? null : checkSubscribe(principal, channel);
    }

    /** Null when the server API may publish to {@code channel}; otherwise why not. */
    public Refusal checkServerPublish(ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == null) {
            return unknownNamespace(channel);
        }
        return ns.publish() == NamespaceConfig.PublishRule.NONE ? builtIn() : null;
    }

    /** Null when {@code channel}'s namespace keeps presence; otherwise why there is none. */
    public Refusal checkPresence(ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == null) {
            return unknownNamespace(channel);
        }
        if (ns == NamespaceConfig.BUILT_IN) {
            return RefusalCode.BAD_REQUEST.refusal(builtIn().hint());
        }
        if (!ns.presence()) {
            return RefusalCode.BAD_REQUEST.refusal("Presence is off for " + namespaceLabel(channel)
                    + (channel.namespace() == null
                            ? "; use a namespace with presence: true"
                            : "; set channels.namespaces." + channel.namespace() + ".presence: true"));
        }
        return null;
    }

    /** Anything but subscribing to gatehouse:stats, in the built-in namespace. */
    private static Refusal builtIn() {
        return RefusalCode.PERMISSION_DENIED.refusal(
                "Namespace '" + NamespaceConfig.BUILT_IN_NAME
                        + "' is built in: its one channel, " + NamespaceConfig.STATS_CHANNEL
                        + ", carries the server's own stats_update to admins; nobody publishes to it, and it keeps no history or presence");
    }

    private static Refusal unknownNamespace(ChannelName channel) {
        return RefusalCode.PERMISSION_DENIED.refusal("Namespace '" + channel.namespace()
                + "' is not configured (channels.namespaces." + channel.namespace() + ")");
    }

    private static String namespaceLabel(ChannelName channel) {
        return channel.namespace() == null ? "channels without a namespace" : "namespace '" + channel.namespace() + "'";
    }
}
