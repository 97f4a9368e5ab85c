package io.gatehouse.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server under load, from {@code --url}: where its WebSocket endpoint ({@code /ws}) and its
 * publish API ({@code /api/v1/publish}) are. Only loopback servers are accepted: the bench opens
 * thousands of connections a second and must never point them at another machine.
 *
 * @param address the resolved loopback address the client connects to (IPv4 when the name has one)
 */
public record BenchTarget(String host, int port, InetAddress address) {
    public static final String WEBSOCKET_PATH = "/ws";
    public static final String PUBLISH_PATH = "/api/v1/publish";
    /** Where a Socket.IO server takes its connections ({@code --protocol socketio}). */
    public static final String SOCKET_IO_PATH = "/socket.io/";

    /**
     * Parses {@code http://HOST:PORT} or {@code ws://HOST:PORT} (a trailing {@code /} or {@code /ws}
     * is allowed).
     *
     * @throws IllegalArgumentException with the reason and the fix, when the URL is not a plain
     *         loopback server URL
     */
    public static BenchTarget parse(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("--url " + url + " is not a URL; use http://127.0.0.1:PORT");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme();
        if (!scheme.equals("http") && !scheme.equals("ws")) {
            throw new IllegalArgumentException(
                    "--url " + url + ": use http://HOST:PORT or ws://HOST:PORT (no TLS: the bench"
                            + " only drives servers on this machine)");
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("--url " + url + " has no host; use http://127.0.0.1:PORT");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!(path.isEmpty() || path.equals("/") || path.equals(WEBSOCKET_PATH)) || uri.getRawQuery() != null) {
            throw new IllegalArgumentException(
                    "--url " + url + ": give the server's base URL, http://HOST:PORT; the bench" + " uses "
                            + WEBSOCKET_PATH + " and " + PUBLISH_PATH + " on it");
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--url " + url + ": unknown host " + uri.getHost());
        }
        if (!Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress)) {
            throw new IllegalArgumentException(
                    "--url " + url + " is not a loopback address: the bench only sends load to"
                            + " this machine (127.0.0.0/8, ::1, localhost)");
        }
        InetAddress address = Arrays.stream(addresses)
                .filter(a -> a instanceof Inet4Address)
                .findFirst()
                .orElse(addresses[0]);
        int port = uri.getPort() == -1 ? 80 : uri.getPort();
        return new BenchTarget(uri.getHost(), port, address);
    }

    /** {@code ws://HOST:PORT/ws?token=TOKEN}: the query carrier, which Gatehouse and the peers all accept. */
    public URI webSocketUri(String token) {
        return webSocketUri(WEBSOCKET_PATH + "?token=", token);
    }

    /** {@code ws://HOST:PORT} + {@code pathAndQuery} + the URL-encoded token. */
    URI webSocketUri(String pathAndQuery, String token) {
        return URI.create("ws://" + authority() + pathAndQuery + URLEncoder.encode(token, StandardCharsets.UTF_8));
    }

    public URI publishUri() {
        return URI.create("http://" + authority() + PUBLISH_PATH);
    }

    /** {@code http://HOST:PORT}, for reports. */
    public String url() {
        return "http://" + authority();
    }

    /** Whether client sockets can be bound to 127.0.0.2, 127.0.0.3, ...: only for an IPv4 target. */
    public boolean ipv4() {
        return address instanceof Inet4Address;
    }

    private String authority() {
        return host + ":" + port; // an IPv6 host keeps its brackets: URI.getHost() returns [::1]
    }
}
