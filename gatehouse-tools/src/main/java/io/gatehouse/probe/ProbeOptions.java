package io.gatehouse.probe;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * What the probe was given. Null means "not given": the scenarios that need it are skipped.
 *
 * @param url a {@code ws://} or {@code wss://} URL
 * @param token a valid token, given or minted
 * @param expiredToken an expired token, given or minted
 * @param foreignOrigin the Origin of a page that is not the server's
 * @param ownOrigin the Origin of the server's own pages, sent with the cookie
 * @param cookie a {@code Cookie} header value, e.g. {@code gh_session=ghs_...}
 * @param csrf the CSRF token that goes with the cookie
 * @param refusalWait how long a socket that must be refused may stay open before it counts as accepted
 * @param abuse the bounds of the abuse scenarios; null when they are not to run ({@code --abuse} not given)
 */
public record ProbeOptions(
        URI url,
        String token,
        String expiredToken,
        String foreignOrigin,
        String ownOrigin,
        String cookie,
        String csrf,
        Duration refusalWait,
        AbuseLimits abuse) {

    public ProbeOptions {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(foreignOrigin, "foreignOrigin");
        Objects.requireNonNull(ownOrigin, "ownOrigin");
        Objects.requireNonNull(refusalWait, "refusalWait");
    }

    /** The Origin a browser sends for a page served from the URL's own host: {@code ws} becomes {@code http}. */
    public static String ownOriginOf(URI url) {
        String scheme = "wss".equalsIgnoreCase(url.getScheme()) ? "https" : "http";
        return scheme + "://" + authority(url);
    }

    /** {@code host[:port]}, without the port when it is the scheme's default, as Host and Origin write it. */
    static String authority(URI url) {
        int port = url.getPort();
        boolean defaultPort = port == -1 || port == defaultPort(url);
        return url.getHost() + (defaultPort ? "" : ":" + port);
    }

    static int defaultPort(URI url) {
        return "wss".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    /** Says which credentials were given, never what they are. */
    @Override
    public String toString() {
        return "ProbeOptions[url=" + url + ", token " + given(token) + ", expiredToken " + given(expiredToken)
                + ", cookie " + given(cookie) + ", csrf " + given(csrf) + ", foreignOrigin=" + foreignOrigin
                + ", ownOrigin=" + ownOrigin + ", refusalWait=" + refusalWait + ", abuse=" + abuse + "]";
    }

    private static String given(String secret) {
        return secret == null || secret.isEmpty() ? "unset" : "set";
    }
}
