package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gatehouse.Gatehouse;
import io.gatehouse.testing.TestGatehouse;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the HTTP request path without a socket: fuzzed bytes, in one to four reads, into an
 * {@link EmbeddedChannel} holding the server's pipeline ({@code HttpServerCodec}, the JSON body
 * aggregator, {@link HttpRequestHandler}) over a real node (embedded H2, every route). Bytes after
 * a WebSocket upgrade reach the WebSocket pipeline that replaces it. Invariants, per input: no
 * exception reaches the end of the pipeline and none is logged as unexpected; every request is
 * answered (nothing left in flight once the node is idle); the bytes written back grow at most
 * linearly with the bytes read; after close every buffer the pipeline allocated is released and
 * no connection is left in the hub. See docs/fuzzing.md.
 *
 * <p>An {@code EmbeddedChannel} has no thread of its own, and the node's blocking pool answers
 * back into it from its threads. So the pool is cut to one thread, and every touch of the channel
 * runs as a task on that thread too: one thread at a time, as an event loop would have it.
 */
class HttpRequestFuzzTest {
    /** The most an answer may add per byte read (many tiny pipelined requests each get an answer). */
    private static final int MAX_ANSWER_BYTES_PER_INPUT_BYTE = 64;

    private static final int MAX_ANSWER_BYTES = 256 * 1024;
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static TestGatehouse server;
    private static Gatehouse node;
    private static ThreadPoolExecutor blocking;
    private static final Queue<ILoggingEvent> WARNINGS = new ConcurrentLinkedQueue<>();

    private static synchronized void start() {
        if (server != null) {
            return;
        }
        server = new TestGatehouse()
                .with("server.trusted_proxies", List.of("127.0.0.1"))
                .start();
        node = server.gatehouse();
        blocking = (ThreadPoolExecutor) node.blocking();
        blocking.setCorePoolSize(1);
        blocking.setMaximumPoolSize(1);
        AppenderBase<ILoggingEvent> warnings = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                // An operator warning (a refused origin) is fine; a stack trace or an error is not.
                if (event.getLevel().isGreaterOrEqual(Level.ERROR)
                        || event.getLevel().isGreaterOrEqual(Level.WARN) && event.getThrowableProxy() != null) {
                    WARNINGS.add(event);
                }
            }
        };
        warnings.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(warnings);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    }

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void request(FuzzedDataProvider data) throws Exception {
        start();
        int reads = data.consumeInt(1, 4);
        byte[] input = data.consumeRemainingAsBytes();
        WARNINGS.clear();
        int connectionsBefore = node.hub().connectionCount();
        TrackingAllocator alloc = new TrackingAllocator();
        EmbeddedChannel channel =
                new EmbeddedChannel(GatehouseServer.initializer(node.httpEndpoint(), node.webSocketEndpoint())) {
                    @Override
                    protected SocketAddress remoteAddress0() {
                        return isActive() ? new InetSocketAddress("127.0.0.1", 40_000) : null;
                    }
                };
        channel.config().setAllocator(alloc);
        long[] answered = {0};
        try {
            int step = Math.max(1, (input.length + reads - 1) / reads);
            for (int from = 0; from < input.length && channel.isOpen(); from += step) {
                ByteBuf chunk = alloc.buffer(step);
                chunk.writeBytes(input, from, Math.min(step, input.length - from));
                onLoop(() -> channel.writeInbound(chunk));
                answered[0] += settle(channel);
            }
            if (channel.isOpen() && channel.pipeline().get(HttpRequestHandler.class) != null) {
                // Still HTTP: whatever was read completely has been answered, the rest awaits more bytes.
                assertThat(channel.config().isAutoRead())
                        .as("a request left in flight with the node idle")
                        .isTrue();
            }
            assertThat(answered[0])
                    .as("bytes written for %d bytes read", input.length)
                    .isLessThanOrEqualTo(MAX_ANSWER_BYTES + (long) MAX_ANSWER_BYTES_PER_INPUT_BYTE * input.length);
        } finally {
            onLoop(channel::close);
            settle(channel);
            onLoop(channel::finishAndReleaseAll);
        }
        assertThat(alloc.unreleased())
                .as("buffers the pipeline allocated and never released")
                .isZero();
        assertThat(node.hub().connectionCount())
                .as("connections left in the hub")
                .isEqualTo(connectionsBefore);
        assertThat(WARNINGS).as("errors or stack traces logged").isEmpty();
    }

    /**
     * Runs the channel's pending tasks, lets the blocking work they start finish, and again, until
     * a round starts no blocking work (so nothing more can come back to the channel). Releases
     * what the server wrote on the way; returns its size in bytes.
     */
    private static long settle(EmbeddedChannel channel) throws Exception {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        long[] bytes = {0};
        while (true) {
            awaitPoolIdle(deadline);
            long before = blocking.getTaskCount();
            onLoop(() -> {
                channel.runPendingTasks();
                Object out;
                while ((out = channel.readOutbound()) != null) {
                    if (out instanceof ByteBuf b) {
                        bytes[0] += b.readableBytes();
                    }
                    io.netty.util.ReferenceCountUtil.release(out);
                }
            });
            awaitPoolIdle(deadline);
            if (blocking.getTaskCount() == before + 1) { // only the round itself ran
                return bytes[0];
            }
            assertThat(System.nanoTime())
                    .as("the node settles within 5 s (hang)")
                    .isLessThan(deadline);
        }
    }

    private static void awaitPoolIdle(long deadline) throws InterruptedException {
        for (int spins = 0;
                blocking.getActiveCount() > 0
                        || !blocking.getQueue().isEmpty()
                        || blocking.getCompletedTaskCount() < blocking.getTaskCount();
                spins++) {
            assertThat(System.nanoTime())
                    .as("the blocking pool finishes within 5 s (hang)")
                    .isLessThan(deadline);
            if (spins < 100) {
                Thread.yield();
            } else {
                Thread.sleep(0, 100_000);
            }
        }
    }

    /**
     * Runs {@code work} on the pool's only thread, the thread that also runs what the node hands
     * to the pool and the callbacks that come back to the channel: the channel is only ever
     * touched by one thread at a time. An exception the channel recorded is rethrown here.
     */
    private static void onLoop(ThrowingRunnable work) throws Exception {
        try {
            blocking.submit(() -> {
                        work.run();
                        return null;
                    })
                    .get(SETTLE_NANOS, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("the channel work did not finish within 5 s (hang or a blocked event loop)", e);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Unpooled heap buffers, each remembered, so a leak shows at once rather than at a GC. */
    private static final class TrackingAllocator extends AbstractByteBufAllocator {
        private final UnpooledByteBufAllocator delegate = new UnpooledByteBufAllocator(false, true);
        private final Queue<ByteBuf> allocated = new ConcurrentLinkedQueue<>();

        TrackingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf b = delegate.heapBuffer(initialCapacity, maxCapacity);
            allocated.add(b);
            return b;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        long unreleased() {
            return allocated.stream().filter(b -> b.refCnt() > 0).count();
        }
    }
}
