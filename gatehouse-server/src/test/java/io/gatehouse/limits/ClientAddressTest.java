package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientAddressTest {
    final ClientAddress behindProxies = new ClientAddress(List.of("10.0.0.0/8", "::1/128"));

    static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() throws Exception {
        assertThat(behindProxies.resolve(ip("198.51.100.9"), List.of(), List.of("203.0.113.7")))
                .isEqualTo("198.51.100.9");
        assertThat(new ClientAddress(List.of()).resolve(ip("10.0.0.1"), List.of(), List.of("203.0.113.7")))
                .isEqualTo("10.0.0.1");
    }

    @Test
    void theRightMostUntrustedHopIsTheClient() throws Exception {
        // a client that sends its own X-Forwarded-For cannot choose its address: the proxy appends the real one
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("1.1.1.1, 203.0.113.7, 10.0.0.2")))
                .isEqualTo("203.0.113.7");
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("1.1.1.1", "203.0.113.7")))
                .isEqualTo("203.0.113.7");
    }

    @Test
    void rfc7239ForwardedIsRead() throws Exception {
        assertThat(behindProxies.resolve(
                        ip("::1"), List.of("for=192.0.2.60;proto=https, for=\"[2001:db8::17]:4711\""), List.of()))
                .isEqualTo("2001:db8:0:0:0:0:0:17");
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of("for=192.0.2.60:8080"), List.of("9.9.9.9")))
                .isEqualTo("192.0.2.60");
    }

    @Test
    void unreadableHopsStopTheWalk() throws Exception {
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("203.0.113.7, unknown")))
                .isEqualTo("10.0.0.1");
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("evil.example.com")))
                .isEqualTo("10.0.0.1");
    }

    @Test
    void onlyProxiesAllTheWayMeansTheLeftMostIsTheClient() throws Exception {
        assertThat(behindProxies.resolve(ip("10.0.0.1"), List.of(), List.of("10.9.9.9, 10.0.0.2")))
                .isEqualTo("10.9.9.9");
    }
}
