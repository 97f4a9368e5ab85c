package io.gatehouse.connection;

import io.gatehouse.protocol.EncodedMessage;
import io.gatehouse.protocol.Refusal;
import java.time.Duration;
import java.util.concurrent.Future;

/**
 * The socket under a {@link ClientConnection}, as the transport offers it. The connection's own
 * callbacks run on one thread (its event loop); {@link #execute} and {@link #schedule} run tasks
 * there too.
 */
public interface Transport {
    /** Queues a text frame without blocking; false if the socket is closed or cannot take more. */
    boolean send(EncodedMessage message);

    /** Sends a close frame with the refusal's code and reason, then closes the socket. Idempotent. */
    void close(Refusal refusal);

    /**
     * The connection is authenticated: lift the tighter bounds of an unauthenticated one (its
     * outbound buffer, what it may send). On the transport's thread.
     */
    void authenticated();

    void execute(Runnable task);

    Future<?> schedule(Duration delay, Runnable task);

    String clientIp();
}
