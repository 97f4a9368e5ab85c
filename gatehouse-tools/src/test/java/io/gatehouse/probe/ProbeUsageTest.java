package io.gatehouse.probe;

import static io.gatehouse.probe.ProbeRun.probe;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** Usage and connection errors exit 2 and say what to fix. */
class ProbeUsageTest {

    @Test
    void withoutAUrlItExits2() {
        ProbeRun run = probe();
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required parameter: 'URL'");
    }

    @Test
    void aUrlThatIsNotAUrlExits2() {
        ProbeRun run = probe("ws://bad host/ws");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("is not a valid URL");
    }

    @Test
    void aSchemeOtherThanWsOrWssExits2() {
        ProbeRun run = probe("http://127.0.0.1:8080/ws");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("URL must start with ws:// or wss://");
    }

    @Test
    void aCsrfTokenWithoutItsCookieExits2() {
        ProbeRun run = probe("ws://127.0.0.1:8080/ws", "--csrf", "x");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--csrf goes with --cookie");
    }

    @Test
    void aSecretTooShortForHs256Exits2() {
        ProbeRun run = probe("ws://127.0.0.1:8080/ws", "--secret", "short");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--secret must be at least 32 bytes");
    }

    @Test
    void aWaitThatIsNotADurationExits2() {
        ProbeRun run = probe("ws://127.0.0.1:8080/ws", "--wait", "soon");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--wait: expected a duration such as 500ms");
    }

    @Test
    void aClosedPortExits2WithTheAddressAndTheReason() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        ProbeRun run = probe("ws://127.0.0.1:" + port + "/ws", "--wait", "300ms");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("error: cannot connect to 127.0.0.1:" + port + ": Connection refused");
        assertThat(run.out()).doesNotContain("scenario");
    }

    @Test
    void helpDescribesTheVerdictsAndExitStatus() {
        ProbeRun run = probe("--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("UNSAFE", "UNREADABLE", "SKIPPED", "Exit status: 0", "--wait");
    }
}
