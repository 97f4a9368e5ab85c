package io.gatehouse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BenchTargetTest {
    @Test
    void aLoopbackServerUrlGivesItsWebSocketAndPublishAddresses() {
        BenchTarget target = BenchTarget.parse("http://127.0.0.1:8080");

        assertThat(target.webSocketUri("a.b.c")).hasToString("ws://127.0.0.1:8080/ws?token=a.b.c");
        assertThat(target.publishUri()).hasToString("http://127.0.0.1:8080/api/v1/publish");
        assertThat(target.ipv4()).isTrue();
        assertThat(BenchTarget.parse("ws://localhost:9000/ws").port()).isEqualTo(9000);
        assertThat(BenchTarget.parse("http://127.0.0.5:1/").address().getHostAddress())
                .isEqualTo("127.0.0.5");
    }

    @Test
    void anIpv6LoopbackTargetKeepsItsBracketsAndHasNoSourceAddressesToSpreadOver() {
        BenchTarget target = BenchTarget.parse("http://[::1]:8080");

        assertThat(target.ipv4()).isFalse();
        assertThat(target.webSocketUri("t")).hasToString("ws://[::1]:8080/ws?token=t");
    }

    @Test
    void aNonLoopbackServerIsRefusedBeforeAnyLoad() {
        assertThatThrownBy(() -> BenchTarget.parse("http://192.0.2.10:8080"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a loopback address");
        assertThatThrownBy(() -> BenchTarget.parse("http://10.0.0.1:8080"))
                .hasMessageContaining("only sends load to this machine");
    }

    @Test
    void tlsOtherPathsAndQueriesAreRefusedWithTheFormToUse() {
        assertThatThrownBy(() -> BenchTarget.parse("https://127.0.0.1:8443")).hasMessageContaining("http://HOST:PORT");
        assertThatThrownBy(() -> BenchTarget.parse("http://127.0.0.1:8080/api")).hasMessageContaining("base URL");
        assertThatThrownBy(() -> BenchTarget.parse("http://127.0.0.1:8080/?token=x"))
                .hasMessageContaining("base URL");
        assertThatThrownBy(() -> BenchTarget.parse("127.0.0.1:8080")).hasMessageContaining("http://");
    }
}
