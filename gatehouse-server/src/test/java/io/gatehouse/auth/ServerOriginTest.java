package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.limits.ClientAddress;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How {@link OriginPolicy#serverOrigin} decides the server's own origin (issue 10 point 8). */
class ServerOriginTest {
    static final InetAddress PROXY = address("10.0.0.5");
    static final InetAddress CLIENT = address("203.0.113.9");

    final OriginPolicy behindProxy =
            new OriginPolicy(List.of(), "", new ClientAddress(List.of("10.0.0.0/8"))::isTrustedProxy);

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static java.util.function.Function<String, List<String>> headers(Map<String, List<String>> h) {
        return name -> h.getOrDefault(name, List.of());
    }

    @Test
    void aTrustedProxysForwardedHostAndProtoMakeTheOrigin() {
        ServerOrigin own = behindProxy.serverOrigin(
                PROXY,
                headers(Map.of(
                        "Host",
                        List.of("example.test"),
                        "X-Forwarded-Host",
                        List.of("example.test:8443"),
                        "X-Forwarded-Proto",
                        List.of("https"))));
        assertThat(own).isEqualTo(new ServerOrigin("https", "example.test:8443"));
        assertThat(own.matches("https://example.test:8443")).isTrue();
        assertThat(own.matches("http://example.test:8443")).isFalse();
        assertThat(own.matches("https://example.test")).isFalse();
    }

    @Test
    void theLastValueIsTheOneTheNearestProxyWrote() {
        ServerOrigin own = behindProxy.serverOrigin(
                PROXY, headers(Map.of("X-Forwarded-Host", List.of("evil.example, app.example.com"))));
        assertThat(own.host()).isEqualTo("app.example.com");
        ServerOrigin rfc = behindProxy.serverOrigin(
                PROXY,
                headers(
                        Map.of(
                                "Forwarded",
                                List.of(
                                        "host=evil.example;proto=http, for=1.2.3.4;host=\"App.Example.com:8443\";proto=https"))));
        assertThat(rfc).isEqualTo(new ServerOrigin("https", "app.example.com:8443"));
    }

    @Test
    void forwardedHostsFromAnUntrustedPeerAndMalformedOnesAreIgnored() {
        var h = headers(Map.of("Host", List.of("127.0.0.1:8080"), "X-Forwarded-Host", List.of("evil.example")));
        assertThat(behindProxy.serverOrigin(CLIENT, h)).isEqualTo(new ServerOrigin(null, "127.0.0.1:8080"));
        var bad = headers(Map.of("Host", List.of("127.0.0.1:8080"), "X-Forwarded-Host", List.of("a b/c\r\n")));
        assertThat(behindProxy.serverOrigin(PROXY, bad).host()).isEqualTo("127.0.0.1:8080");
    }

    @Test
    void publicUrlWinsOverEveryHeader() {
        OriginPolicy pub = new OriginPolicy(List.of(), "https://app.example.com", peer -> true);
        ServerOrigin own =
                pub.serverOrigin(PROXY, headers(Map.of("Host", List.of("x"), "X-Forwarded-Host", List.of("y"))));
        assertThat(own).isEqualTo(new ServerOrigin("https", "app.example.com"));
        assertThat(pub.check("https://x", "x", false)).isNotNull();
        assertThat(pub.check("https://app.example.com", "x", false)).isNull();
    }
}
