package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gatehouse.testing.TestGatehouse;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * A client that goes away in the middle of a request body is not an error of the server: no
 * stack trace is logged for it (one per connection would let any client fill the log). Found by
 * HttpRequestFuzzTest (input closed-mid-body): the aggregator's PrematureChannelClosureException
 * was logged as an unexpected error.
 */
class ClosedMidRequestTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @Test
    void aBodyCutShortByTheClientLogsNoStackTrace() throws Exception {
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger handler = (Logger) LoggerFactory.getLogger(HttpRequestHandler.class);
        handler.addAppender(log);
        try {
            try (Socket s = new Socket("127.0.0.1", server.gatehouse().port())) {
                s.getOutputStream()
                        .write(("POST /api/v1/publish HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                        + "Content-Length: 100\r\n\r\n{\"channel\":")
                                .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
            }
            // The server still answers, on a new connection, after seeing the first one close.
            try (Socket s = new Socket("127.0.0.1", server.gatehouse().port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream()
                        .write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                InputStream in = s.getInputStream();
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .startsWith("HTTP/1.1 200");
            }
            Awaitility.await()
                    .during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(3))
                    .untilAsserted(() -> assertThat(log.list)
                            .as("logged by HttpRequestHandler")
                            .isEmpty());
        } finally {
            handler.detachAppender(log);
        }
    }
}
