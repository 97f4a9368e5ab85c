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
 * channels they may subscribe to.
 */
public final class ChannelAccess {
    private final GatehouseConfig.Channels channels;

    public ChannelAccess(GatehouseConfig.Channels channels) {
        this.channels = channels;
    }

    /** Null when allowed; otherwise why not. */
    public Refusal checkSubscribe(Principal principal, ChannelName channel) {
        if (principal.user().isAdmin() || principal.channels().contains(channel.value())) {
            return null;
        }
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == null) {
            return unknownNamespace(channel);
        }
        if (channel.isUserLimited()
                && !channel.allowedUsers().contains(principal.user().id())) {
            return RefusalCode.PERMISSION_DENIED.refusal("Only the users listed after # may subscribe to " + channel);
        }
        return switch (ns.subscribe()) {
            case AUTHENTICATED -> null;
            case ADMIN ->
                RefusalCode.PERMISSION_DENIED.refusal("Only admins may subscribe to " + namespaceLabel(channel));
            case NONE ->
                RefusalCode.PERMISSION_DENIED.refusal("Subscribing to " + namespaceLabel(channel)
                        + " needs the channel in the token's channels claim");
        };
    }

    /** Null when a client connection may publish; otherwise why not. */
    public Refusal checkClientPublish(Principal principal, ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == null) {
            return unknownNamespace(channel);
        }
        if (ns.publish() == NamespaceConfig.PublishRule.SERVER) {
            return RefusalCode.PERMISSION_DENIED.refusal(
                    "Only the server API publishes to " + namespaceLabel(channel) + " (namespace publish: server)");
        }
        return checkSubscribe(principal, channel);
    }

    /** Null when the server API may publish to {@code channel}; otherwise why not. */
    public Refusal checkServerPublish(ChannelName channel) {
        return channels.namespace(channel.namespace()) == null ? unknownNamespace(channel) : null;
    }

    /** Null when {@code channel}'s namespace keeps presence; otherwise why there is none. */
    public Refusal checkPresence(ChannelName channel) {
        NamespaceConfig ns = channels.namespace(channel.namespace());
        if (ns == null) {
            return unknownNamespace(channel);
        }
        if (!ns.presence()) {
            return RefusalCode.BAD_REQUEST.refusal("Presence is off for " + namespaceLabel(channel)
                    + (channel.namespace() == null
                            ? "; use a namespace with presence: true"
                            : "; set channels.namespaces." + channel.namespace() + ".presence: true"));
        }
        return null;
    }

    private static Refusal unknownNamespace(ChannelName channel) {
        return RefusalCode.PERMISSION_DENIED.refusal("Namespace '" + channel.namespace()
                + "' is not configured (channels.namespaces." + channel.namespace() + ")");
    }

    private static String namespaceLabel(ChannelName channel) {
        return channel.namespace() == null ? "channels without a namespace" : "namespace '" + channel.namespace() + "'";
    }
}
