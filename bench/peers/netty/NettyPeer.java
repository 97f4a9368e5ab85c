// Netty peer for Gatehouse benchmarks (issue 16): the JVM floor. A minimal Netty WebSocket server
// that speaks the subset of the Gatehouse protocol the benchmarks use, with nothing else: no
// authentication (?token= is accepted and ignored), no limits, no history, no metrics. Whatever
// Gatehouse costs above this is what its features cost. A yardstick, not a product.
//
// Run without a build, with the tools jar on the class path (Netty with its native epoll library,
// and Jackson):
//   PEER_PORT=8090 PEER_API_KEY=KEY java -cp gatehouse-tools/target/gatehouse-tools.jar bench/peers/netty/NettyPeer.java

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

public final class NettyPeer {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String EPOCH = Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000);
    static final int MAX_HTTP_BODY_BYTES = 1024 * 1024;
    static final int MAX_MESSAGE_BYTES = 64 * 1024;

    /** Channel name -> its subscribers; channel name -> its last offset. */
    static final Map<String, Set<Channel>> SUBSCRIBERS = new ConcurrentHashMap<>();

    static final Map<String, AtomicLong> OFFSETS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        String portText = System.getenv().getOrDefault("PEER_PORT", "");
        int port = portText.isEmpty() ? 8090 : Integer.parseInt(portText);
        String apiKey = System.getenv("PEER_API_KEY");
        if (apiKey == null || apiKey.isEmpty()) {
            System.err.println("peer: PEER_API_KEY is required (the key of Authorization: apikey <key>)");
            System.exit(2);
        }
        boolean epoll = Epoll.isAvailable();
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(
                Runtime.getRuntime().availableProcessors(), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        Class<? extends ServerChannel> channelClass = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        WebSocketServerProtocolConfig webSocket = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/ws")
                .checkStartsWith(true) // /ws?token=...
                .maxFramePayloadLength(MAX_MESSAGE_BYTES)
                .build();
        String authorization = "apikey " + apiKey;
        Channel server = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_HTTP_BODY_BYTES))
                                .addLast(new WebSocketServerProtocolHandler(webSocket))
                                .addLast(new HttpApi(authorization))
                                .addLast(new Frames());
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", port))
                .sync()
                .channel();
        int bound = ((InetSocketAddress) server.localAddress()).getPort();
        System.out.println("peer listening on http://127.0.0.1:" + bound + " (" + (epoll ? "epoll" : "nio") + ")");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close().syncUninterruptibly();
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }));
        server.closeFuture().sync();
    }

    /** The WebSocket side: connection_established once upgraded, then subscribe and ping. */
    static final class Frames extends SimpleChannelInboundHandler<TextWebSocketFrame> {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                ObjectNode hello = JSON.createObjectNode().put("type", "connection_established");
                hello.put("connection_id", UUID.randomUUID().toString());
                hello.putObject("user").put("id", "bench").put("name", "bench").putArray("roles");
                hello.put("expires_at", Instant.now().plusSeconds(3600).toString());
                hello.put("heartbeat_interval_ms", 25_000);
                hello.put("server_time", System.currentTimeMillis());
                send(ctx.channel(), hello);
                ctx.channel().closeFuture().addListener(f -> {
                    for (Set<Channel> subscribers : SUBSCRIBERS.values()) {
                        subscribers.remove(ctx.channel());
                    }
                });
            }
            super.userEventTriggered(ctx, event);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) throws Exception {
            JsonNode msg;
            try {
                msg = JSON.readTree(new ByteBufInputStream(frame.content()));
            } catch (java.io.IOException e) {
                msg = null;
            }
            String type = msg != null && msg.isObject() ? msg.path("type").asText("") : "";
            ObjectNode reply = JSON.createObjectNode();
            switch (type) {
                case "subscribe" -> {
                    String name = msg.path("channel").asText("");
                    SUBSCRIBERS.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(ctx.channel());
                    reply.put("type", "subscribed");
                    echoId(msg, reply);
                    reply.put("channel", name);
                    reply.put("offset", OFFSETS.computeIfAbsent(name, n -> new AtomicLong()).get());
                    reply.put("epoch", EPOCH);
                    reply.put("recovered", false);
                    reply.putArray("publications");
                }
                case "ping" -> {
                    reply.put("type", "pong");
                    echoId(msg, reply);
                    reply.put("timestamp", System.currentTimeMillis());
                }
                default -> {
                    reply.put("type", "error");
                    reply.put("code", "BAD_REQUEST");
                    reply.put("message", "Only subscribe and ping are supported");
                }
            }
            send(ctx.channel(), reply);
        }

        private static void echoId(JsonNode msg, ObjectNode reply) {
            if (msg.hasNonNull("id")) {
                reply.set("id", msg.get("id"));
            }
        }

        private static void send(Channel channel, ObjectNode frame) throws Exception {
            channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(JSON.writeValueAsBytes(frame))));
        }
    }

    /** The HTTP side: POST /api/v1/publish and GET /health; anything else 404. */
    static final class HttpApi extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final String authorization;

        HttpApi(String authorization) {
            this.authorization = authorization;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            String path = request.uri().split("\\?", 2)[0];
            if (path.equals("/health")) {
                answer(ctx, request, HttpResponseStatus.OK, JSON.createObjectNode().put("status", "ok"));
            } else if (!path.equals("/api/v1/publish")) {
                answer(ctx, request, HttpResponseStatus.NOT_FOUND, refusal("NOT_FOUND", "No such resource"));
            } else if (!request.method().equals(HttpMethod.POST)) {
                answer(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, refusal("METHOD_NOT_ALLOWED", "POST only"));
            } else {
                String given = request.headers().get(HttpHeaderNames.AUTHORIZATION);
                if (given == null || given.isEmpty()) {
                    answer(ctx, request, HttpResponseStatus.UNAUTHORIZED, refusal("TOKEN_MISSING", "No API key"));
                } else if (!given.equals(authorization)) {
                    answer(ctx, request, HttpResponseStatus.UNAUTHORIZED, refusal("TOKEN_INVALID", "Wrong API key"));
                } else {
                    publish(ctx, request);
                }
            }
        }

        private void publish(ChannelHandlerContext ctx, FullHttpRequest request) throws Exception {
            JsonNode body;
            try {
                body = JSON.readTree(new ByteBufInputStream(request.content()));
            } catch (java.io.IOException e) {
                body = null;
            }
            if (body == null || !body.isObject() || !body.path("channel").isTextual() || !body.has("data")) {
                answer(ctx, request, HttpResponseStatus.BAD_REQUEST, refusal("BAD_REQUEST", "Send {channel, data}"));
                return;
            }
            String name = body.get("channel").asText();
            long offset = OFFSETS.computeIfAbsent(name, n -> new AtomicLong()).incrementAndGet();
            ObjectNode message = JSON.createObjectNode().put("type", "message");
            message.put("channel", name);
            message.put("offset", offset);
            message.put("epoch", EPOCH);
            message.set("data", body.get("data"));
            message.put("published_at", Instant.now().toString());
            // Encoded once; every subscriber gets a retained duplicate of the same buffer.
            ByteBuf frame = Unpooled.wrappedBuffer(JSON.writeValueAsBytes(message));
            try {
                for (Channel subscriber : SUBSCRIBERS.getOrDefault(name, Set.of())) {
                    subscriber.writeAndFlush(new TextWebSocketFrame(frame.retainedDuplicate()));
                }
            } finally {
                frame.release();
            }
            ObjectNode answer = JSON.createObjectNode().put("channel", name);
            answer.put("offset", offset);
            answer.put("epoch", EPOCH);
            answer(ctx, request, HttpResponseStatus.OK, answer);
        }

        private static ObjectNode refusal(String code, String hint) {
            return JSON.createObjectNode().put("error", code).put("code", code).put("hint", hint);
        }

        private static void answer(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status, ObjectNode body)
                throws Exception {
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(JSON.writeValueAsBytes(body)));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response);
            } else {
                ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        }
    }
}
