package io.gatehouse.transport;

import io.gatehouse.api.ApiResponse;
import io.gatehouse.concurrent.Threads;
import io.gatehouse.protocol.RefusalCode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Netty server: one listening socket for HTTP and WebSocket. The pipeline, in wire order:
 * {@link ConnectionAdmission} (connections per IP) → {@link HttpDeadlines} (request and idle
 * timeouts) → {@code HttpServerCodec} → {@code HttpObjectAggregator} → {@link HttpRequestHandler};
 * an upgrade ({@link WebSocketUpgrade}) replaces the HTTP handlers and the deadlines with the WebSocket codec,
 * {@code Utf8FrameValidator}, {@link PreAuthLimit}, {@code WebSocketFrameAggregator} and
 * {@link WebSocketTransport}. This package is the only one
 * that imports Netty.
 */
public final class GatehouseServer implements AutoCloseable {
    /** The largest HTTP API body. */
    static final int MAX_HTTP_BODY_BYTES = 1024 * 1024; // 1 MiB

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;

    private GatehouseServer(EventLoopGroup boss, EventLoopGroup workers, Channel listener) {
        this.boss = boss;
        this.workers = workers;
        this.listener = listener;
    }

    /** Listens on {@code server.host}:{@code server.port} of {@code http}'s configuration. */
    public static GatehouseServer start(HttpEndpoint http, WebSocketEndpoint webSocket) throws InterruptedException {
        boolean epoll = Epoll.isAvailable();
        var factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // Named so that Threads.assertMayBlock() recognises them.
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory(Threads.EVENT_LOOP_PREFIX + "-accept"), factory);
        EventLoopGroup workers =
                new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory(Threads.EVENT_LOOP_PREFIX), factory);
        Class<? extends ServerSocketChannel> channelType =
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        try {
            Channel listener = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(channelType)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    // isWritable() turns false past limits.outbound_buffer: WebSocketTransport closes with 4508
                    .childOption(
                            ChannelOption.WRITE_BUFFER_WATER_MARK,
                            new WriteBufferWaterMark(
                                    webSocket.outboundBufferBytes() / 2, webSocket.outboundBufferBytes()))
                    .childHandler(initializer(http, webSocket))
                    .bind(http.config().host(), http.config().port())
                    .sync()
                    .channel();
            return new GatehouseServer(boss, workers, listener);
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The pipeline of a new connection, in wire order (see the class comment); also what the HTTP fuzz target runs. */
    public static ChannelInitializer<Channel> initializer(HttpEndpoint http, WebSocketEndpoint webSocket) {
        RequestAddresses addresses = new RequestAddresses(http.limits().clientAddress(), http.origins());
        WebSocketUpgrade upgrade = new WebSocketUpgrade(http, webSocket, addresses);
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(ConnectionAdmission.NAME, new ConnectionAdmission(http.limits()))
                        .addLast(
                                HttpDeadlines.NAME,
                                new HttpDeadlines(
                                        http.config().requestTimeout(),
                                        http.config().idleTimeout()))
                        .addLast("http", new HttpServerCodec())
                        .addLast("aggregator", new JsonBodyAggregator())
                        .addLast("request", new HttpRequestHandler(http.api(), addresses, upgrade));
            }
        };
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    public String host() {
        return ((InetSocketAddress) listener.localAddress()).getAddress().getHostAddress();
    }

    /** Stops accepting connections. */
    public void stopAccepting() {
        listener.close().syncUninterruptibly();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Aggregates HTTP bodies and answers an oversized one with the MESSAGE_TOO_BIG body, not a bare 413. */
    private static final class JsonBodyAggregator extends HttpObjectAggregator {
        JsonBodyAggregator() {
            super(MAX_HTTP_BODY_BYTES);
        }

        /**
         * As Netty's own: a keep-alive request keeps its connection, and the aggregator discards the
         * rest of the body, so the client reads the answer instead of a reset mid-upload.
         */
        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
            ApiResponse r =
                    ApiResponse.refusal(RefusalCode.MESSAGE_TOO_BIG.refusal("HTTP bodies are limited to 1 MiB"));
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    Unpooled.wrappedBuffer(r.body()));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
            HttpUtil.setContentLength(response, r.body().length);
            boolean close = oversized instanceof FullHttpMessage
                    || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
            if (close) {
                HttpUtil.setKeepAlive(response, false);
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
    }
}
