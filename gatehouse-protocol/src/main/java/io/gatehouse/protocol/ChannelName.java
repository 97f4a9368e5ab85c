package io.gatehouse.protocol;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A channel name, {@code [namespace:]name} (SPEC §5). A {@code #} makes it user-limited: the part
 * after it is a comma-separated list of the user ids that may subscribe ({@code inbox#alice},
 * {@code dialog#alice,bob}). {@code #<user id>} alone is that user's personal channel.
 */
public record ChannelName(String value, String namespace, List<String> allowedUsers) {
    public static final int MAX_LENGTH = 255;
    private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9_\\-.:@#,]{1," + MAX_LENGTH + "}");

    /** The channel, or empty if {@code raw} does not follow the grammar. */
    public static Optional<ChannelName> parse(String raw) {
        if (raw == null || !ALLOWED.matcher(raw).matches()) {
            return Optional.empty();
        }
        int hash = raw.indexOf('#');
        int colon = raw.indexOf(':');
        String namespace = null;
        if (colon >= 0 && (hash < 0 || colon < hash)) {
            namespace = raw.substring(0, colon);
            if (namespace.isEmpty() || colon == raw.length() - 1) {
                return Optional.empty();
            }
        }
        List<String> users = null;
        if (hash >= 0) {
            String list = raw.substring(hash + 1);
            users = Arrays.asList(list.split(",", -1));
            if (list.isEmpty() || users.stream().anyMatch(u -> u.isEmpty() || u.indexOf('#') >= 0)) {
                return Optional.empty();
            }
            users = List.copyOf(users);
        }
        return Optional.of(new ChannelName(raw, namespace, users));
    }

    /**
     * The personal channel of {@code userId}, {@code #<id>}. User ids come from applications
     * ({@code auth0|123}, {@code 42}, an e-mail address), so this name may hold characters the
     * grammar does not allow clients to write; only a comma (the list separator), a control
     * character or a length over {@value #MAX_LENGTH} makes it impossible.
     */
    public static Optional<ChannelName> personal(String userId) {
        if (userId.isEmpty()
                || userId.length() >= MAX_LENGTH
                || userId.indexOf(',') >= 0
                || userId.chars().anyMatch(Character::isISOControl)) {
            return Optional.empty();
        }
        return Optional.of(new ChannelName("#" + userId, null, List.of(userId)));
    }

    /** The hint for a name that does not parse. */
    public static String grammarHint() {
        return "Channel names are [namespace:]name of A-Z a-z 0-9 _ - . : @ # , (at most " + MAX_LENGTH
                + "); after # comes a comma-separated list of user ids";
    }

    public boolean isUserLimited() {
        return allowedUsers != null;
    }

    @Override
    public String toString() {
        return value;
    }
}
