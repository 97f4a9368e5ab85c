package io.gatehouse.transport;

import io.gatehouse.Node;
import io.gatehouse.accesslog.AccessRecord;
import io.gatehouse.api.ApiRequest;
import io.gatehouse.api.ApiResponse;
import io.gatehouse.api.HttpApi;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.ServerOrigin;
import io.gatehouse.auth.Verdict;
import io.gatehouse.connection.ClientConnection;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.Subprotocols;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Handles one HTTP request: a WebSocket upgrade on {@value #WEBSOCKET_PATH}, anything else goes to
 * the {@link HttpApi}. An upgrade's credential is verified before the handshake (off the event
 * loop when the verifier needs I/O); a refused credential still completes the handshake so that
 * the client can read the refusal code from the close frame, which browsers cannot do with an
 * HTTP status.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String WEBSOCKET_PATH = "/ws";
    /** Requests a connection may pipeline behind the one being answered. */
    static final int MAX_PIPELINED = 16;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpRequestHandler.class);

    private final Node node;
    private final HttpApi api;
    private final WebSocketServerHandshakerFactory handshakers;
    /** Whether a request is being answered. Only accessed on the event loop. */
    private boolean inFlight;
    /** When the upgrade being handled arrived, for gatehouse_handshake_seconds. Only accessed on the event loop. */
    private long upgradeStartedNanos;
    /** Requests that arrived pipelined behind it. Only accessed on the event loop. */
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();

    HttpRequestHandler(Node node, HttpApi api, WebSocketServerHandshakerFactory handshakers) {
        this.node = node;
        this.api = api;
        this.handshakers = handshakers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (inFlight) {
            // Pipelined behind a request still being answered: HTTP/1.1 answers in order. A client
            // that piles up more than MAX_PIPELINED is not a browser: it is closed, not queued for.
            if (waiting.size() >= MAX_PIPELINED) {
                ctx.close();
                return;
            }
            waiting.add(request.retain());
            return;
        }
        inFlight = true;
        ctx.channel().config().setAutoRead(false);
        deadlines(ctx).requestReceived();
        process(ctx, request);
    }

    /** The previous response is written: take the next waiting request, or read more. */
    private void next(ChannelHandlerContext ctx) {
        inFlight = false;
        FullHttpRequest queued = waiting.poll();
        if (queued == null) {
            deadlines(ctx).answered();
            ctx.channel().config().setAutoRead(true);
            return;
        }
        try {
            channelRead0(ctx, queued);
        } finally {
            queued.release();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        // After an upgrade, requests pipelined behind it are not HTTP any more: drop them.
        FullHttpRequest queued;
        while ((queued = waiting.poll()) != null) {
            queued.release();
        }
    }

    private void process(ChannelHandlerContext ctx, FullHttpRequest request) {
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        if (!request.decoderResult().isSuccess() || !decodes(query)) {
            respond(ctx, request, ApiResponse.refusal(RefusalCode.BAD_REQUEST.refusal("Malformed HTTP request")));
            return;
        }
        if (query.path().equals(WEBSOCKET_PATH)) {
            if (!"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
                respond(
                        ctx,
                        request,
                        ApiResponse.refusal(RefusalCode.BAD_REQUEST.refusal(
                                "This endpoint takes WebSocket upgrades only (Upgrade: websocket)")));
                return;
            }
            upgrade(ctx, request, query);
            return;
        }
        ApiRequest apiRequest = apiRequest(ctx, request, query);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        api.handle(apiRequest)
                .whenComplete((response, failure) -> respond(
                        ctx,
                        keepAlive,
                        failure == null ? response : ApiResponse.refusal(RefusalCode.INTERNAL_ERROR.refusal())));
    }

    /**
     * Whether the path and query decode; an invalid %-escape ({@code /%zz}) throws from the decoder,
     * which caches what it decoded, so later calls cannot throw.
     */
    private static boolean decodes(QueryStringDecoder query) {
        try {
            query.path();
            query.parameters();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // The peer going away, also in the middle of a request body, is no error of ours.
        if (!(cause instanceof java.io.IOException || cause instanceof PrematureChannelClosureException)) {
            LOG.warn("closing HTTP connection after an unexpected error", cause);
        }
        ctx.close();
    }

    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query) {
        upgradeStartedNanos = System.nanoTime();
        String ip = clientIp(ctx, request);
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        String agent = request.headers().get(HttpHeaderNames.USER_AGENT);
        Refusal notNow = node.lifecycle().isShuttingDown()
                ? RefusalCode.SERVER_SHUTTING_DOWN.refusal(
                        "The server is shutting down; reconnect to another node or shortly")
                : node.limits().admitUpgrade(ip);
        if (notNow != null) {
            // Before the upgrade, as HTTP 429 or 503 with Retry-After: cheap for us, clear for the client.
            log(ip, origin, agent, null, notNow.code().name(), null, null);
            respond(ctx, request, ApiResponse.refusal(notNow));
            return;
        }
        CredentialExtractor.Extraction found = node.credentials().extract(new NettyAuthRequest(request, query));
        Refusal tooOften = found.credential() == null ? null : node.limits().admitCredential(found.credential());
        if (tooOften != null) {
            log(ip, origin, agent, null, tooOften.code().name(), found.credential(), null);
            respond(ctx, request, ApiResponse.refusal(tooOften));
            return;
        }
        boolean cookie = found.credential() != null && found.credential().carrier() == CredentialCarrier.COOKIE;
        Refusal foreign = node.origins().check(origin, serverOrigin(ctx, request), cookie);
        if (foreign != null) {
            // Before the upgrade, as HTTP: the page that tried it is not ours to talk to.
            log(ip, origin, agent, null, foreign.code().name(), found.credential(), null);
            respond(ctx, request, ApiResponse.refusal(foreign));
            return;
        }
        ConnectionAdmission admission = ctx.pipeline().get(ConnectionAdmission.class);
        if (admission != null && !admission.countResolved(ip)) {
            // Behind a trusted proxy: counted by client IP now, once nothing else refuses it as HTTP,
            // so that a refused upgrade leaves no count behind on a connection the proxy reuses.
            Refusal full = node.limits().tooManyConnectionsFromIp();
            log(ip, origin, agent, null, full.code().name(), found.credential(), null);
            respond(ctx, request, ApiResponse.refusal(full));
            return;
        }
        if (found.refusal() != null) {
            node.limits().refused(ip, found.refusal());
            log(ip, origin, agent, null, found.refusal().code().name(), null, null);
            handshake(ctx, request, ip, origin, agent, connection -> connection.refuse(found.refusal()));
            return;
        }
        if (found.isNone()) {
            handshake(ctx, request, ip, origin, agent, ClientConnection::onUnauthenticatedOpen);
            return;
        }
        Credential credential = found.credential();
        request.retain();
        node.credentialVerifier().verify(credential).whenComplete((verdict, failure) -> {
            if (failure == null && verdict.isAccepted()) {
                node.limits().accepted(ip); // at once, not behind other upgrades queued on this event loop
            }
            ctx.executor()
                    .execute(() -> afterVerification(ctx, request, ip, origin, agent, credential, verdict, failure));
        });
    }

    private void afterVerification(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            String ip,
            String origin,
            String agent,
            Credential credential,
            Verdict verdict,
            Throwable failure) {
        try {
            if (!ctx.channel().isActive()) {
                return;
            }
            Verdict v = failure == null ? verdict : Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal());
            if (v.isAccepted()) {
                handshake(ctx, request, ip, origin, agent, connection -> {
                    log(
                            ip,
                            origin,
                            agent,
                            v.principal().user().id(),
                            AccessRecord.ACCEPTED,
                            credential,
                            connection.id());
                    connection.onAuthenticatedOpen(v.principal());
                });
            } else {
                node.limits().refused(ip, v.refusal());
                log(ip, origin, agent, null, v.refusal().code().name(), credential, null);
                handshake(ctx, request, ip, origin, agent, connection -> connection.refuse(v.refusal()));
            }
        } finally {
            request.release();
        }
    }

    /** Completes the WebSocket handshake, rebuilds the pipeline for frames, then calls {@code opened}. */
    private void handshake(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            String ip,
            String origin,
            String agent,
            Consumer<ClientConnection> opened) {
        WebSocketServerHandshaker handshaker = handshakers.newHandshaker(request);
        // V00 is a request without Sec-WebSocket-Version: the pre-RFC 6455 drafts, which have no
        // close codes to carry a refusal. Answered 426 with the version we speak, as an unknown one.
        if (handshaker == null || handshaker.version() == WebSocketVersion.V00) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        stripBearerProtocols(request);
        WebSocketTransport transport = new WebSocketTransport(
                ctx.channel(),
                ip,
                node.config().heartbeat(),
                node.metrics(),
                node.config().limits().outboundBufferBytes());
        ClientConnection connection = new ClientConnection(node, transport, origin, agent);
        ctx.channel().config().setWriteBufferWaterMark(WebSocketTransport.UNAUTHENTICATED_OUTBOUND);
        var pipeline = ctx.pipeline();
        pipeline.addLast("utf8", new Utf8FrameValidator(false));
        pipeline.addLast(PreAuthLimit.NAME, new PreAuthLimit(transport));
        pipeline.addLast(
                "fragments", new WebSocketFrameAggregator(node.config().limits().maxMessageBytes()));
        pipeline.addLast("connection", transport);
        pipeline.remove(this);
        pipeline.remove(HttpDeadlines.NAME); // WebSocket connections have the auth timeout and heartbeat instead
        ChannelFuture handshook;
        try {
            handshook = handshaker.handshake(ctx.channel(), request);
        } catch (WebSocketHandshakeException incomplete) {
            // Not a complete upgrade (not GET, no Connection: Upgrade, no key): thrown before any
            // frame handler runs; answered as HTTP like any malformed request, then closed.
            respond(
                    ctx,
                    false,
                    ApiResponse.refusal(
                            RefusalCode.BAD_REQUEST.refusal(
                                    "Malformed WebSocket upgrade: send GET with Connection: Upgrade, Upgrade: websocket and Sec-WebSocket-Key")));
            return;
        }
        handshook.addListener(f -> {
            node.metrics().handshake(java.time.Duration.ofNanos(System.nanoTime() - upgradeStartedNanos));
            if (f.isSuccess()) {
                ctx.channel().config().setAutoRead(true); // off while the upgrade request was in flight
                transport.start(connection);
                opened.accept(connection);
            } else {
                ctx.close();
            }
        });
    }

    private static HttpDeadlines deadlines(ChannelHandlerContext ctx) {
        return (HttpDeadlines) ctx.pipeline().get(HttpDeadlines.NAME);
    }

    private void log(
            String ip,
            String origin,
            String agent,
            String userId,
            String outcome,
            Credential credential,
            String connectionId) {
        node.accessLog().attempt(node.clock().instant(), ip, origin, agent, userId, outcome, credential, connectionId);
    }

    private ApiRequest apiRequest(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query) {
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(h -> headers.putIfAbsent(h.getKey().toLowerCase(Locale.ROOT), h.getValue()));
        Map<String, String> params = new HashMap<>();
        query.parameters().forEach((k, v) -> params.put(k, v.isEmpty() ? "" : v.get(0)));
        return new ApiRequest(
                request.method().name(),
                query.path(),
                params,
                headers,
                ByteBufUtil.getBytes(request.content()),
                clientIp(ctx, request),
                serverOrigin(ctx, request));
    }

    /** The server's own origin as the browser sees it: server.public_url, a trusted proxy's forwarded host, or Host. */
    private ServerOrigin serverOrigin(ChannelHandlerContext ctx, FullHttpRequest request) {
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        return node.origins().serverOrigin(peer, request.headers()::getAll);
    }

    /** The client's IP: the socket peer, or what a trusted proxy says (SPEC §7). */
    private String clientIp(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress a)) {
            return String.valueOf(ctx.channel().remoteAddress());
        }
        return node.limits()
                .clientAddress()
                .resolve(
                        a.getAddress(),
                        request.headers().getAll("Forwarded"),
                        request.headers().getAll("X-Forwarded-For"));
    }

    /**
     * Removes {@code gatehouse.bearer.<token>} offers before the handshaker sees them: it answers
     * {@code gatehouse.v1} only, and it logs offers it does not support, which would log the token.
     */
    private static void stripBearerProtocols(FullHttpRequest request) {
        List<String> kept = new ArrayList<>();
        for (String header : request.headers().getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)) {
            for (String p : header.split(",")) {
                String t = p.trim();
                if (!t.isEmpty() && !t.startsWith(Subprotocols.BEARER_PREFIX)) {
                    kept.add(t);
                }
            }
        }
        if (kept.isEmpty()) {
            request.headers().remove(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL);
        } else {
            request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL, String.join(", ", kept));
        }
    }

    private void respond(ChannelHandlerContext ctx, FullHttpRequest request, ApiResponse response) {
        respond(ctx, HttpUtil.isKeepAlive(request), response);
    }

    /** Writes the response; then closes, or goes on with the next request. Any thread. */
    private void respond(ChannelHandlerContext ctx, boolean keepAliveAsked, ApiResponse response) {
        // After a 400 the request stream may be out of step (a malformed head, a bad length): close.
        boolean keepAlive = keepAliveAsked && response.status() != HttpResponseStatus.BAD_REQUEST.code();
        FullHttpResponse out = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()),
                Unpooled.wrappedBuffer(response.body()));
        out.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        out.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        response.headers().forEach(h -> {
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                out.headers().set(HttpHeaderNames.CONTENT_TYPE, h.getValue());
            } else {
                out.headers().add(h.getKey(), h.getValue());
            }
        });
        HttpUtil.setContentLength(out, response.body().length);
        HttpUtil.setKeepAlive(out, keepAlive);
        var written = ctx.writeAndFlush(out);
        HttpDeadlines deadlines = deadlines(ctx);
        if (deadlines != null) {
            // A client that does not read its answer must not hold the connection for ever.
            if (ctx.executor().inEventLoop()) {
                deadlines.writing(written);
            } else {
                ctx.executor().execute(() -> deadlines.writing(written));
            }
        }
        if (keepAlive) {
            written.addListener(f -> next(ctx)); // listeners run on the event loop
        } else {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }
}
