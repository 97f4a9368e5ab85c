package io.gatehouse.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The load client: Netty event loops (epoll when available) and one WebSocket pipeline per
 * connection, {@code UpgradeHandler → WebSocketFrameAggregator → BenchConnection}; the upgrade
 * handler gives way to the frame decoder and encoder after the 101. Connections take their source
 * address in turn from 127.0.0.2, 127.0.0.3, ... so that tens of thousands of them do not run out
 * of ports on one address (an IPv6 target gets ::1 only).
 */
public final class BenchClient implements AutoCloseable {
    /** The first source address is 127.0.0.2: 127.0.0.1 is usually where the server listens. */
    static final int FIRST_SOURCE_HOST = 2;

    static final int MAX_SOURCE_ADDRESSES = 250;
    /** Files a bench process needs besides its sockets: jars, pipes, epoll, the JSON file. */
    static final int RESERVED_FILES = 256;
    /** The TCP connect within this; the rest of the handshake within {@link Ramp#READY_TIMEOUT}. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** The largest frame taken: 2 MiB, beyond the 1 MiB an HTTP publish body may have. */
    static final int MAX_FRAME_BYTES = 2 * 1024 * 1024;

    private final BenchTarget target;
    private final BenchProtocol protocol;
    private final EventLoopGroup loops;
    private final Bootstrap bootstrap;
    private final InetSocketAddress remote;
    private final List<InetSocketAddress> sources;
    private final int threads;
    private final boolean epoll;

    /**
     * @param sourceAddresses how many of 127.0.0.2, 127.0.0.3, ... to spread connections over
     * @param threads event-loop threads
     */
    public BenchClient(BenchTarget target, int sourceAddresses, int threads) {
        this(target, BenchProtocol.GATEHOUSE, sourceAddresses, threads);
    }

    /** As {@link #BenchClient(BenchTarget, int, int)}, its connections speaking {@code protocol}. */
    public BenchClient(BenchTarget target, BenchProtocol protocol, int sourceAddresses, int threads) {
        if (sourceAddresses < 1 || sourceAddresses > MAX_SOURCE_ADDRESSES) {
            throw new IllegalArgumentException("--source-addresses must be 1-" + MAX_SOURCE_ADDRESSES);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be at least 1");
        }
        this.target = target;
        this.protocol = protocol;
        this.threads = threads;
        this.epoll = Epoll.isAvailable();
        this.remote = new InetSocketAddress(target.address(), target.port());
        this.sources = sourceAddresses(target, sourceAddresses);
        this.loops = new MultiThreadIoEventLoopGroup(
                threads,
                new DefaultThreadFactory("bench-loop"),
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Bootstrap b = new Bootstrap()
                .group(loops)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT.toMillis())
                .option(ChannelOption.SO_REUSEADDR, true);
        if (epoll) {
            // The port is chosen at connect, per destination, instead of at bind: more ports per source address.
            b.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }
        this.bootstrap = b;
    }

    /**
     * Refuses a run that would open more sockets than this process may hold, before it starts.
     *
     * @throws IllegalArgumentException naming the limit and the fix
     */
    public static void requireOpenFiles(int connections) {
        long limit = openFileLimit();
        if ((long) connections + RESERVED_FILES > limit) {
            throw new IllegalArgumentException(String.format(
                    "%,d connections need about %,d open files, and this process"
                            + " may open %,d; raise it (ulimit -n) or open fewer",
                    connections, connections + RESERVED_FILES, limit));
        }
    }

    int threads() {
        return threads;
    }

    /** A client like this one (protocol, source addresses, threads) whose connections go to {@code other}. */
    BenchClient toward(BenchTarget other) {
        return new BenchClient(other, protocol, sources.size(), threads);
    }

    BenchProtocol protocol() {
        return protocol;
    }

    /** "epoll" or "nio". */
    String transport() {
        return epoll ? "epoll" : "nio";
    }

    int sourceAddresses() {
        return sources.size();
    }

    /**
     * Starts connection {@code index} (which picks its source address) with {@code token}; what
     * happens next is reported through {@code connection}. Any thread.
     */
    void connect(int index, String token, BenchConnection connection) {
        URI uri = protocol.webSocketUri(target, token);
        connection.speaks(protocol, token);
        Bootstrap b = bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                        .addLast("upgrade", new UpgradeHandler(uri, connection))
                        .addLast("frames", new WebSocketFrameAggregator(MAX_FRAME_BYTES))
                        .addLast("connection", connection);
            }
        });
        connection.starting(System.nanoTime());
        ChannelFuture connected =
                sources.isEmpty() ? b.connect(remote) : b.connect(remote, sources.get(index % sources.size()));
        connection.attach(connected.channel());
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                connection.fail("connect: " + f.cause().getClass().getSimpleName() + ": "
                        + f.cause().getMessage());
            }
        });
    }

    /**
     * Opens a keep-alive HTTP/1.1 connection to the server for {@code connection}, from the
     * default source address; {@code connection} learns of it in {@code channelActive}. Any thread.
     */
    void openHttp(PublishConnection connection) {
        openHttp(connection, remote);
    }

    /** As {@link #openHttp(PublishConnection)}, to {@code server} (another node of the deployment). */
    void openHttp(PublishConnection connection, InetSocketAddress server) {
        bootstrap
                .clone()
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpClientCodec())
                                .addLast("aggregator", new HttpObjectAggregator(MAX_FRAME_BYTES))
                                .addLast("publish", connection);
                    }
                })
                .connect(server);
    }

    /** Closes every connection with a 1000 close frame and waits, at most {@code timeout}, until their sockets are closed. */
    static void closeAll(Collection<BenchConnection> connections, Duration timeout) throws InterruptedException {
        List<ChannelFuture> closed = new ArrayList<>(connections.size());
        for (BenchConnection c : connections) {
            closed.add(c.close());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ChannelFuture f : closed) {
            if (!f.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return;
            }
        }
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }

    private static List<InetSocketAddress> sourceAddresses(BenchTarget target, int count) {
        List<InetSocketAddress> out = new ArrayList<>();
        if (!target.ipv4()) {
            return out; // the kernel picks ::1
        }
        for (int i = 0; i < count; i++) {
            try {
                byte[] address = {127, 0, 0, (byte) (FIRST_SOURCE_HOST + i)};
                out.add(new InetSocketAddress(InetAddress.getByAddress(address), 0));
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e); // four bytes are always an address
            }
        }
        return out;
    }

    /** The soft "Max open files" of this process, from /proc/self/limits; unlimited when it cannot be read. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft =
                            line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: let the run find out
        }
        return Long.MAX_VALUE;
    }
}
