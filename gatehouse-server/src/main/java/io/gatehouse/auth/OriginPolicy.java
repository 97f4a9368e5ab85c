package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    /** @param allowed normalised origins ({@code scheme://host[:port]}, lower case) */
    public OriginPolicy(List<String> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /**
     * Null when allowed; otherwise the ORIGIN_NOT_ALLOWED refusal.
     *
     * @param origin the Origin header, or null
     * @param host the Host header: the server's own origin is {@code http://HOST}
     */
    public Refusal check(String origin, String host, boolean cookieCredential) {
        if (origin == null || origin.isEmpty()) {
            return cookieCredential ? RefusalCode.ORIGIN_NOT_ALLOWED.refusal(
                    "A cookie-session upgrade must carry an Origin header; browsers send one") : null;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        if (host != null && (o.equals("http://" + host.toLowerCase(Locale.ROOT)) || o.equals("https://" + host.toLowerCase(Locale.ROOT)))) {
            return null;
        }
        if (allowed.contains(o)) {
            return null;
        }
        logOnceAMinute(o);
        return RefusalCode.ORIGIN_NOT_ALLOWED.refusal("Origin " + abbreviate(origin) + " is not allowed; add it to server.allowed_origins");
    }

    private void logOnceAMinute(String origin) {
        long now = System.currentTimeMillis();
        if (lastLogged.size() > MAX_REMEMBERED) {
            lastLogged.clear();
        }
        Long last = lastLogged.get(origin);
        if (last == null || now - last >= LOG_EVERY_MILLIS) {
            lastLogged.put(origin, now);
            LOG.warn("refused WebSocket upgrade from origin {}: add it to server.allowed_origins if it is yours", abbreviate(origin));
        }
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
    }
}
