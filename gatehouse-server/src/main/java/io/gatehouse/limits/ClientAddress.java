package io.gatehouse.limits;

import io.gatehouse.config.Cidr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The client IP of a request (SPEC §7): {@code X-Forwarded-For} and RFC 7239 {@code Forwarded}
 * are believed only when the socket peer is a trusted proxy ({@code server.trusted_proxies}); the
 * client is then the right-most address that is not a trusted proxy. Every per-IP rule uses it.
 */
public final class ClientAddress {
    private static final Pattern LITERAL = Pattern.compile("[0-9A-Fa-f:.]+");
    private final List<Cidr> trusted;

    public ClientAddress(List<String> trustedProxies) {
        this.trusted = trustedProxies.stream().map(Cidr::parse).toList();
    }

    /**
     * @param peer the socket's remote address
     * @param forwarded the {@code Forwarded} header values (may be empty)
     * @param forwardedFor the {@code X-Forwarded-For} header values (may be empty)
     */
    public String resolve(InetAddress peer, List<String> forwarded, List<String> forwardedFor) {
        if (trusted.isEmpty() || !isTrusted(peer)) {
            return peer.getHostAddress();
        }
        List<String> hops = forwarded.isEmpty() ? splitForwardedFor(forwardedFor) : forwardedFor(forwarded);
        InetAddress last = peer;
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = parse(hops.get(i));
            if (hop == null) {
                break; // unreadable: the last address we could read is the best we know
            }
            last = hop;
            if (!isTrusted(hop)) {
                return hop.getHostAddress();
            }
        }
        return last.getHostAddress();
    }

    /** Whether {@code a} is in {@code server.trusted_proxies}: only then are its forwarded headers believed. */
    public boolean isTrustedProxy(InetAddress a) {
        return isTrusted(a);
    }

    private boolean isTrusted(InetAddress a) {
        for (Cidr c : trusted) {
            if (c.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> splitForwardedFor(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            for (String part : h.split(",")) {
                out.add(part.trim());
            }
        }
        return out;
    }

    /** The {@code for=} of each element of RFC 7239 {@code Forwarded} headers, in order. */
    private static List<String> forwardedFor(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            for (String element : h.split(",")) {
                String value = null;
                for (String pair : element.split(";")) {
                    String p = pair.trim();
                    if (p.toLowerCase(Locale.ROOT).startsWith("for=")) {
                        value = p.substring(4).trim();
                    }
                }
                out.add(value == null ? "" : value);
            }
        }
        return out;
    }

    /** An address from a header: {@code 1.2.3.4}, {@code 1.2.3.4:80}, {@code "[::1]:80"}; null if unreadable. */
    static InetAddress parse(String raw) {
        String s = raw.trim();
        if (s.startsWith("\"") && s.endsWith("\"") && s.length() >= 2) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0) {
                return null;
            }
            s = s.substring(1, end);
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':') && s.indexOf('.') >= 0) {
            s = s.substring(0, s.indexOf(':')); // IPv4 with a port
        }
        if (s.isEmpty() || !LITERAL.matcher(s).matches()) {
            return null; // "unknown", obfuscated identifiers, host names: never a DNS lookup
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
