package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which browser origins may open WebSockets (SPEC §7): the server's own and
 * {@code server.allowed_origins}. This is what stops cross-site WebSocket hijacking of cookie
 * sessions: a cookie upgrade must carry an allowed {@code Origin}; a token upgrade without one
 * (a non-browser client) is allowed. Each refused origin is logged once a minute with the key to change.
 */
public final class OriginPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(OriginPolicy.class);
    private static final long LOG_EVERY_MILLIS = 60_000;
    private static final int MAX_REMEMBERED = 10_000;

    private final List<String> allowed;
    /** server.public_url as an origin, or empty. */
    private final String publicOrigin;

    private final Predicate<InetAddress> trustedProxy;
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    /** @param allowed normalised origins ({@code scheme://host[:port]}, lower case) */
    public OriginPolicy(List<String> allowed) {
        this(allowed, "", peer -> false);
    }

    /**
     * @param allowed normalised origins ({@code scheme://host[:port]}, lower case)
     * @param publicOrigin {@code server.public_url} as an origin, or empty
     * @param trustedProxy whether a socket peer is in {@code server.trusted_proxies}
     */
    public OriginPolicy(List<String> allowed, String publicOrigin, Predicate<InetAddress> trustedProxy) {
        this.allowed = List.copyOf(allowed);
        this.publicOrigin = publicOrigin;
        this.trustedProxy = trustedProxy;
    }

    /**
     * The server's own origin for a request: {@code server.public_url} when set; else, when the
     * socket peer is a trusted proxy that forwarded a host ({@code Forwarded: host=} before
     * {@code X-Forwarded-Host}, the last value: the one the nearest proxy wrote), that host with the
     * scheme it forwarded; else the {@code Host} header.
     *
     * @param peer the socket's remote address, or null when unknown
     * @param header the request's header values by name (all of them, in order)
     */
    public ServerOrigin serverOrigin(InetAddress peer, Function<String, List<String>> header) {
        if (!publicOrigin.isEmpty()) {
            int colon = publicOrigin.indexOf("://");
            return new ServerOrigin(publicOrigin.substring(0, colon), publicOrigin.substring(colon + 3));
        }
        List<String> hosts = header.apply("Host");
        String host = hosts.isEmpty() ? null : hosts.get(0);
        if (peer == null || !trustedProxy.test(peer)) {
            return ServerOrigin.ofHost(host);
        }
        String forwardedHost = lastForwarded(header.apply("Forwarded"), "host");
        String forwardedProto = lastForwarded(header.apply("Forwarded"), "proto");
        if (forwardedHost == null) {
            forwardedHost = lastValue(header.apply("X-Forwarded-Host"));
            forwardedProto = lastValue(header.apply("X-Forwarded-Proto"));
        }
        String h = ServerOrigin.normalHost(forwardedHost);
        if (h == null) {
            return ServerOrigin.ofHost(host);
        }
        String proto = forwardedProto == null ? null : forwardedProto.trim().toLowerCase(Locale.ROOT);
        return new ServerOrigin("http".equals(proto) || "https".equals(proto) ? proto : null, h);
    }

    /** The last {@code name=} of RFC 7239 {@code Forwarded} headers, unquoted; null if none. */
    private static String lastForwarded(List<String> headers, String name) {
        String found = null;
        for (String h : headers) {
            for (String element : h.split(",")) {
                for (String pair : element.split(";")) {
                    String p = pair.trim();
                    if (p.regionMatches(true, 0, name + "=", 0, name.length() + 1)) {
                        String v = p.substring(name.length() + 1).trim();
                        found = v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")
                                ? v.substring(1, v.length() - 1)
                                : v;
                    }
                }
            }
        }
        return found;
    }

    /** The last comma-separated value of {@code headers}; null if none. */
    private static String lastValue(List<String> headers) {
        if (headers.isEmpty()) {
            return null;
        }
        String[] parts = headers.get(headers.size() - 1).split(",");
        return parts.length == 0 ? null : parts[parts.length - 1].trim();
    }

    /**
     * Null when allowed; otherwise the ORIGIN_NOT_ALLOWED refusal.
     *
     * @param origin the Origin header, or null
     * @param host the Host header: the server's own origin is {@code http://HOST}
     */
    public Refusal check(String origin, String host, boolean cookieCredential) {
        return check(
                origin,
                publicOrigin.isEmpty() ? ServerOrigin.ofHost(host) : serverOrigin(null, name -> List.of()),
                cookieCredential);
    }

    /**
     * Null when allowed; otherwise the ORIGIN_NOT_ALLOWED refusal.
     *
     * @param origin the Origin header, or null
     * @param own the server's own origin for this request ({@link #serverOrigin}); may be null without {@code origin}
     * @param originRequired whether a missing Origin is refused (a cookie-session upgrade)
     */
    public Refusal check(String origin, ServerOrigin own, boolean originRequired) {
        if (origin == null || origin.isEmpty()) {
            return originRequired
                    ? RefusalCode.ORIGIN_NOT_ALLOWED.refusal(
                            "A cookie-session upgrade must carry an Origin header; browsers send one")
                    : null;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        if (own.matches(o)) {
            return null;
        }
        if (allowed.contains(o)) {
            return null;
        }
        logOnceAMinute(o);
        return RefusalCode.ORIGIN_NOT_ALLOWED.refusal(
                "Origin " + abbreviate(origin) + " is not allowed; add it to server.allowed_origins");
    }

    /** Whether {@code origin} is one of {@code server.allowed_origins} (not merely the server's own). */
    public boolean listed(String origin) {
        return allowed.contains(origin.toLowerCase(Locale.ROOT));
    }

    private void logOnceAMinute(String origin) {
        long now = System.currentTimeMillis();
        if (lastLogged.size() > MAX_REMEMBERED) {
            lastLogged.clear();
        }
        Long last = lastLogged.get(origin);
        if (last == null || now - last >= LOG_EVERY_MILLIS) {
            lastLogged.put(origin, now);
            LOG.warn(
                    "refused request from origin {}: add it to server.allowed_origins if it is yours",
                    abbreviate(origin));
        }
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }
}
