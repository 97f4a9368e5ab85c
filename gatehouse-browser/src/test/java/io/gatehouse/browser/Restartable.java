package io.gatehouse.browser;

import io.gatehouse.testing.TestGatehouse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;

/**
 * A test server that can be stopped (gracefully: the drain's 1012 with {@code retry_after_ms}) and
 * started again on the same port, as an operator's restart. A new start has new history (the
 * in-memory broker), so a resubscribe after it is {@code recovered: false}.
 */
final class Restartable implements AutoCloseable {
    private final UnaryOperator<TestGatehouse> settings;
    private TestGatehouse current;
    private int port;

    Restartable(UnaryOperator<TestGatehouse> settings) {
        this.settings = settings;
    }

    Restartable start() {
        current = settings.apply(new TestGatehouse()).start();
        port = current.gatehouse().port();
        return this;
    }

    TestGatehouse server() {
        return current;
    }

    String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Stops the server (the drain runs to its end). */
    void stop() {
        TestGatehouse s = current;
        current = null;
        s.close();
    }

    /** Starts a new server on the same port, once the old one has let go of it. */
    void startAgain() {
        TestGatehouse[] started = new TestGatehouse[1];
        Awaitility.await()
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(() -> {
                    started[0] = settings.apply(new TestGatehouse())
                            .with("server.port", port)
                            .start();
                    return true;
                });
        current = started[0];
    }

    @Override
    public void close() {
        if (current != null) {
            current.close();
        }
    }
}
