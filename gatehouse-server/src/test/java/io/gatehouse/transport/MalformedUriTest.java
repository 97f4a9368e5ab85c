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
 * A request line whose path or query holds an invalid %-escape is answered 400 BAD_REQUEST, as
 * any malformed request, and the connection stays usable. Found by HttpRequestFuzzTest: the URI
 * decoder threw out of the handler, which closed the connection without an answer and logged a
 * stack trace per request.
 */
class MalformedUriTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    private static String exchange(String requests, int answers) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.gatehouse().port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            while (got.toString(StandardCharsets.UTF_8).split("HTTP/1\\.1 ", -1).length - 1 < answers
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

    @Test
    void anInvalidEscapeInThePathIsABadRequestAndClosesTheConnection() throws Exception {
        // A 400 closes its connection (issue 10): the request pipelined behind it is not answered.
        String answers = exchange("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n", 2);
        assertThat(answers)
                .startsWith("HTTP/1.1 400")
                .contains("\"BAD_REQUEST\"")
                .containsIgnoringCase("connection: close")
                .doesNotContain("\"status\":\"ok\"");
    }

    @Test
    void anInvalidEscapeInTheQueryOfAnUpgradeIsABadRequest() throws Exception {
        String upgrade = "GET /ws?token=%g HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: AAAAAAAAAAAAAAAAAAAAAA==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        assertThat(exchange(upgrade, 1)).startsWith("HTTP/1.1 400").contains("\"BAD_REQUEST\"");
    }

    @Test
    void anInvalidEscapeInTheQueryOfAnApiRequestIsABadRequest() throws Exception {
        assertThat(exchange("GET /api/v1/auth/verify?x=%%41 HTTP/1.1\r\nHost: x\r\n\r\n", 1))
                .startsWith("HTTP/1.1 400")
                .contains("\"BAD_REQUEST\"");
    }
}
