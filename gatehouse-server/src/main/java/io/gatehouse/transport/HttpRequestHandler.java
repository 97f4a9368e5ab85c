package io.gatehouse.transport;

import io.gatehouse.api.ApiRequest;
import io.gatehouse.api.ApiResponse;
import io.gatehouse.api.HttpApi;
import io.gatehouse.protocol.RefusalCode;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
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
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP requests of one connection, answered in order (HTTP/1.1 pipelining): a WebSocket upgrade
 * on {@value WebSocketUpgrade#PATH} goes to the {@link WebSocketUpgrade}, anything else to the
 * {@link HttpApi}. Only used on the channel's event loop, except {@link #respond}.
 */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    /** Requests a connection may pipeline behind the one being answered. */
    static final int MAX_PIPELINED = 16;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(HttpRequestHandler.class);

    private final HttpApi api;
    private final RequestAddresses addresses;
    private final WebSocketUpgrade upgrade;
    /** Whether a request is being answered. Only accessed on the event loop. */
    private boolean inFlight;
    /** Requests that arrived pipelined behind it. Only accessed on the event loop. */
    private final ArrayDeque<FullHttpRequest> waiting = new ArrayDeque<>();

    HttpRequestHandler(HttpApi api, RequestAddresses addresses, WebSocketUpgrade upgrade) {
        this.api = api;
        this.addresses = addresses;
        this.upgrade = upgrade;
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
        if (query.path().equals(WebSocketUpgrade.PATH)) {
            if (!"websocket".equalsIgnoreCase(request.headers().get(HttpHeaderNames.UPGRADE))) {
                respond(
                        ctx,
                        request,
                        ApiResponse.refusal(RefusalCode.BAD_REQUEST.refusal(
                                "This endpoint takes WebSocket upgrades only (Upgrade: websocket)")));
                return;
            }
            upgrade.upgrade(ctx, request, query, this);
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

    private static HttpDeadlines deadlines(ChannelHandlerContext ctx) {
        return (HttpDeadlines) ctx.pipeline().get(HttpDeadlines.NAME);
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
                addresses.clientIp(ctx, request),
                addresses.serverOrigin(ctx, request));
    }

    void respond(ChannelHandlerContext ctx, FullHttpRequest request, ApiResponse response) {
        respond(ctx, HttpUtil.isKeepAlive(request), response);
    }

    /** Writes the response; then closes, or goes on with the next request. Any thread. */
    void respond(ChannelHandlerContext ctx, boolean keepAliveAsked, ApiResponse response) {
        // After a 400 the request stream may be out of step (a malformed head, a bad length): close.
        boolean keepAlive = keepAliveAsked && response.status() != HttpResponseStatus.BAD_REQUEST.code();
        FullHttpResponse out = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(response.status()),
                Unpooled.wrappedBuffer(response.body()));
        out.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        out.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        response.headers().forEach(h -> {
            if (h.getKey().equalsIgnoreCase("Content-Type") || h.getKey().equalsIgnoreCase("Cache-Control")) {
                out.headers().set(h.getKey(), h.getValue()); // replaces the JSON defaults above
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
