package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upgrade requests the WebSocket handshaker cannot complete get an HTTP answer instead of a
 * dropped connection and a logged stack trace. Found by HttpRequestFuzzTest (input
 * upgrade-without-version-or-origin): without Sec-WebSocket-Version Netty picked the pre-RFC 6455
 * handshake, which threw for the missing Origin after the pipeline had been rebuilt.
 */
class MalformedUpgradeTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static final String KEY = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

    /** Everything the server writes until it closes the connection. */
    private static String exchange(String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.gatehouse().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void anUpgradeWithoutSecWebSocketVersionIsAnswered426WithTheVersionWeSpeak() throws Exception {
        String answer =
                exchange("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + KEY + "\r\n");
        assertThat(answer).startsWith("HTTP/1.1 426").containsIgnoringCase("sec-websocket-version: 13");
    }

    @Test
    void anUpgradeWithoutAKeyIsABadRequest() throws Exception {
        String answer = exchange("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"BAD_REQUEST\"");
    }

    @Test
    void anUpgradeByPostIsABadRequest() throws Exception {
        String answer = exchange("POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" + KEY
                + "Sec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 400").contains("\"BAD_REQUEST\"");
    }
}
