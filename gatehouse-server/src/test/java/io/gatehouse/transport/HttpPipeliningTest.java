package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.RawWebSocket;
import io.gatehouse.testing.TestGatehouse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Requests written back to back on one connection are answered in order, one at a time. */
class HttpPipeliningTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    static String exchange(String requests, int expectedResponses) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.gatehouse().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (count(got.toString(StandardCharsets.UTF_8), "HTTP/1.1 ") < expectedResponses
                    || !got.toString(StandardCharsets.UTF_8).trim().endsWith("}")) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    static int count(String s, String what) {
        return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
    }

    @Test
    void aSlowRequestAndAFastOneAreAnsweredInTheOrderSent() throws Exception {
        String token = server.opaqueToken("alice"); // verified on the blocking pool: slower than /health
        String requests = "GET /api/v1/auth/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n"
                + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
        String answers = exchange(requests, 2);
        assertThat(answers.indexOf("\"user\"")).isPositive().isLessThan(answers.indexOf("\"status\":\"ok\""));
    }

    @Test
    void requestsPipelinedBehindAnUpgradeAreDropped() throws Exception {
        String token = server.opaqueToken("bob");
        String upgrade = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n"
                + "Authorization: Bearer " + token + "\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", server.gatehouse().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((upgrade + upgrade).getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[8192];
            int n = s.getInputStream().read(buf);
            String got = new String(buf, 0, n, StandardCharsets.ISO_8859_1);
            assertThat(count(got, "HTTP/1.1 101")).isEqualTo(1);
        }
        // the server is still healthy and answers on a fresh connection
        try (RawWebSocket ws = RawWebSocket.connect(server.ws(), "Authorization: Bearer " + token)) {
            assertThat(ws.readFrame(5000).text()).contains("connection_established");
        }
    }
}
