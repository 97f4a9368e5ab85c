package io.gatehouse.jmh;

import io.gatehouse.Gatehouse;
import io.gatehouse.auth.TokenVerifier;
import io.gatehouse.auth.Verdict;
import io.gatehouse.transport.GatehouseServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The authenticated upgrade, without a socket: each {@link #upgrade} builds the server's own
 * pipeline ({@link GatehouseServer#initializer}, public) into an {@link EmbeddedChannel} whose peer
 * is 127.0.0.1, writes a whole {@code GET /ws?token=JWT} upgrade request, runs the channel's tasks
 * until the {@code 101} and the {@code connection_established} text frame have been written, and
 * closes the channel. The node behind it is real and started once per trial
 * ({@link InProcessNode}: embedded H2, in-memory broker): limits, the access log (its line and its
 * database row, written off the loop), the hub and the metrics all run, and are part of the cost.
 * The JWTs are HS256, minted in {@link #start}, {@link #tokens} distinct ones (users
 * {@code jmh-N}) used in turn.
 *
 * <p>An {@code EmbeddedChannel} has no thread of its own, and the node's blocking pool calls back
 * into it from its threads. So, as in the server's HTTP fuzz test, the pool is cut to one thread
 * and every touch of the channel runs as a task on that thread: one thread at a time, as an event
 * loop would have it. The hand-off to that thread (a few microseconds per step) is in the figure.
 *
 * <p>{@link #verifyToken} is the token check alone: the node's {@link TokenVerifier} chain (the
 * JWT parse, HS256 MAC, claims) on the benchmark thread.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Dlogback.configurationFile=gatehouse-jmh-logback.xml", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class HandshakeBenchmark {
    /** How long one upgrade may take before the benchmark gives up (a hang, not a slow run). */
    private static final long TIMEOUT_SECONDS = 5;

    private static final byte[] ESTABLISHED = "\"connection_established\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SWITCHING = "HTTP/1.1 101".getBytes(StandardCharsets.US_ASCII);

    @Param("8192")
    public int tokens;

    private InProcessNode node;
    private ThreadPoolExecutor loop;
    private ChannelInitializer<Channel> initializer;
    private TokenVerifier verifier;
    private List<String> tokenPool;
    private byte[][] requests;
    private int next;

    @Setup(Level.Trial)
    public void start() {
        node = InProcessNode.start();
        Gatehouse gatehouse = node.gatehouse();
        loop = (ThreadPoolExecutor) gatehouse.blocking();
        loop.setCorePoolSize(1);
        loop.setMaximumPoolSize(1);
        initializer = GatehouseServer.initializer(gatehouse.httpEndpoint(), gatehouse.webSocketEndpoint());
        verifier = gatehouse.webSocketEndpoint().verifier().tokens();
        tokenPool = InProcessNode.tokens(tokens);
        requests = new byte[tokens][];
        for (int i = 0; i < tokens; i++) {
            requests[i] = ("GET /ws?token=" + tokenPool.get(i) + " HTTP/1.1\r\n"
                            + "Host: 127.0.0.1\r\n"
                            + "Upgrade: websocket\r\n"
                            + "Connection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            + "Sec-WebSocket-Version: 13\r\n"
                            + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
        }
    }

    @TearDown(Level.Trial)
    public void stop() {
        node.close();
    }

    /** One upgrade, from the request's bytes to {@code connection_established}, then the close. */
    @Benchmark
    public long upgrade() throws Exception {
        byte[] request = requests[next++ % requests.length];
        Answer answer = new Answer();
        // Usually one task does it all; when part of the work went to another thread, poll.
        EmbeddedChannel channel = onLoop(() -> {
            EmbeddedChannel c = new EmbeddedChannel(initializer) {
                @Override
                protected SocketAddress remoteAddress0() {
                    return isActive() ? new InetSocketAddress("127.0.0.1", 40_000) : null;
                }
            };
            c.writeInbound(Unpooled.wrappedBuffer(request));
            c.runPendingTasks();
            answer.read(c);
            if (answer.established) {
                close(c);
            }
            return c;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!answer.established) {
            boolean open = onLoop(() -> {
                channel.runPendingTasks();
                answer.read(channel);
                if (answer.established || !channel.isOpen()) {
                    close(channel);
                }
                return channel.isOpen();
            });
            if (!answer.established && !open) {
                throw new IllegalStateException("the upgrade was refused: " + answer.first);
            }
            if (!answer.established && System.nanoTime() > deadline) {
                onLoop(() -> close(channel));
                throw new IllegalStateException(
                        "no connection_established within " + TIMEOUT_SECONDS + " s; 101 seen: " + answer.switched);
            }
        }
        return answer.bytes;
    }

    /** Closes the channel as a client's going away does, and releases what it still holds. Loop thread. */
    private static Void close(EmbeddedChannel channel) {
        channel.close();
        channel.runPendingTasks();
        channel.finishAndReleaseAll();
        return null;
    }

    /** The token check alone: parse, HS256 MAC and claims, as the upgrade runs it. */
    @Benchmark
    public Verdict verifyToken() throws Exception {
        Verdict verdict = verifier.verify(tokenPool.get(next++ % tokenPool.size()))
                .toCompletableFuture()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (!verdict.isAccepted()) {
            throw new IllegalStateException("a minted token was refused: " + verdict);
        }
        return verdict;
    }

    /** What the server has written so far: the 101, then frames. Only touched on the loop thread. */
    private static final class Answer {
        long bytes;
        boolean switched;
        boolean established;
        String first;

        void read(EmbeddedChannel channel) {
            Object out;
            while ((out = channel.readOutbound()) != null) {
                try {
                    if (out instanceof ByteBuf b && b.isReadable()) {
                        if (bytes == 0) {
                            first = b.toString(
                                    b.readerIndex(), Math.min(b.readableBytes(), 64), StandardCharsets.US_ASCII);
                            switched = ByteBufUtil.indexOf(Unpooled.wrappedBuffer(SWITCHING), b) == b.readerIndex();
                        }
                        if (switched && ByteBufUtil.indexOf(Unpooled.wrappedBuffer(ESTABLISHED), b) >= 0) {
                            established = true;
                        }
                        bytes += b.readableBytes();
                    }
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
        }
    }

    private <T> T onLoop(Callable<T> work) throws Exception {
        try {
            return loop.submit(work).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }
}
