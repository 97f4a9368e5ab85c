package io.gatehouse.auth;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The origin a browser sees this server at, for one request: {@code server.public_url} when
 * configured, else the host a trusted proxy forwarded ({@code X-Forwarded-Host}, {@code Forwarded:
 * host=}) with its scheme when it forwarded one, else the {@code Host} header (either scheme).
 *
 * @param scheme {@code http} or {@code https}, or null when either is the server's own
 * @param host {@code host[:port]} in lower case, or null when the request named none
 */
public record ServerOrigin(String scheme, String host) {
    /** What a Host header may hold: a name, an IPv4 or a bracketed IPv6 literal, and a port. */
    private static final Pattern HOST =
            Pattern.compile("[a-z0-9.\\-]{1,253}(:[0-9]{1,5})?|\\[[0-9a-f:.]{2,45}](:[0-9]{1,5})?");

    /** The origin {@code http(s)://} + {@code host}; no origin when {@code host} is null or malformed. */
    public static ServerOrigin ofHost(String host) {
        return new ServerOrigin(null, normalHost(host));
    }

    /** {@code host} lower-cased when it reads as a host, else null. */
    static String normalHost(String host) {
        if (host == null) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        return HOST.matcher(h).matches() ? h : null;
    }

    /** Whether {@code origin} (lower case, as a browser sends it) is this origin. */
    public boolean matches(String origin) {
        if (host == null) {
            return false;
        }
        if (scheme != null) {
            return origin.equals(scheme + "://" + host);
        }
        return origin.equals("http://" + host) || origin.equals("https://" + host);
    }
}
