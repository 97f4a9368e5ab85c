package io.gatehouse.transport;

import io.gatehouse.accesslog.UpgradeAttempt;
import io.gatehouse.api.ApiResponse;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.auth.Verdict;
import io.gatehouse.connection.ClientConnection;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.Subprotocols;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A WebSocket upgrade on {@value #PATH}, from the request to an open {@link ClientConnection}. The
 * checks run in this order, each refusal recorded in the access log: draining and
 * {@code limits.upgrades_per_ip} (HTTP 503/429; with several nodes this node's count first, then
 * the deployment's, waited for off the event loop), the credential's carrier and
 * {@code limits.upgrades_per_credential} (429), the Origin (403), {@code limits.connections_per_ip}
 * behind a proxy (429); then the credential is verified, off the event loop when the verifier
 * needs I/O. A credential that is malformed or refused still completes the handshake, so that the
 * client can read the refusal code from the close frame, which browsers cannot do with an HTTP
 * status. Shared by every connection; each call runs on the connection's event loop.
 */
final class WebSocketUpgrade {
    static final String PATH = "/ws";

    private final RequestLimits limits;
    private final OriginPolicy origins;
    private final RequestAddresses addresses;
    private final WebSocketEndpoint endpoint;
    private final WebSocketServerHandshakerFactory handshakers;

    WebSocketUpgrade(HttpEndpoint http, WebSocketEndpoint endpoint, RequestAddresses addresses) {
        this.limits = http.limits();
        this.origins = http.origins();
        this.addresses = addresses;
        this.endpoint = endpoint;
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(endpoint.maxMessageBytes())
                .allowExtensions(false)
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // added explicitly in the pipeline
                .build();
        this.handshakers = new WebSocketServerHandshakerFactory(PATH, Subprotocols.V1, decoder);
    }

    /** One upgrade request on its way: where to answer, what the access log records, when it arrived. */
    private record Pending(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            HttpRequestHandler http,
            UpgradeAttempt attempt,
            long startedNanos,
            String instance) {
        /** Answered as HTTP, before any handshake. */
        void refuseAsHttp(Refusal refusal) {
            attempt.refused(refusal);
            http.respond(ctx, request, ApiResponse.refusal(refusal));
        }
    }

    /** Checks the upgrade {@code request}; refusals before the handshake are answered through {@code http}. */
    void upgrade(
            ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder query, HttpRequestHandler http) {
        long startedNanos = System.nanoTime();
        String ip = addresses.clientIp(ctx, request);
        UpgradeAttempt attempt = endpoint.accessLog()
                .attempt(
                        ip,
                        request.headers().get(HttpHeaderNames.ORIGIN),
                        request.headers().get(HttpHeaderNames.USER_AGENT));
        Refusal notNow = endpoint.lifecycle().isShuttingDown()
                ? RefusalCode.SERVER_SHUTTING_DOWN.refusal(
                        "The server is shutting down; reconnect to another node or shortly")
                : limits.admitUpgrade(ip);
        if (notNow != null) {
            // Before the upgrade, as HTTP 429 or 503 with Retry-After: cheap for us, clear for the client.
            new Pending(ctx, request, http, attempt, startedNanos, null).refuseAsHttp(notNow);
            return;
        }
        if (!limits.isShared()) {
            admitted(ctx, request, query, http, attempt, startedNanos);
            return;
        }
        // Several nodes: the deployment's count too, never waited for on the event loop; autoRead
        // stays off meanwhile (HttpRequestHandler), so nothing else of this connection is read.
        request.retain();
        limits.admitUpgradeAcrossNodes(ip)
                .whenComplete((acrossNodes, failure) -> ctx.executor().execute(() -> {
                    try {
                        if (!ctx.channel().isActive()) {
                            return;
                        }
                        if (acrossNodes != null) {
                            new Pending(ctx, request, http, attempt, startedNanos, null).refuseAsHttp(acrossNodes);
                            return;
                        }
                        admitted(ctx, request, query, http, attempt, startedNanos);
                    } finally {
                        request.release();
                    }
                }));
    }

    /** The upgrade passed draining and the per-IP limits: find its credential, then check and verify it. */
    private void admitted(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            QueryStringDecoder query,
            HttpRequestHandler http,
            UpgradeAttempt attempt,
            long startedNanos) {
        String ip = attempt.clientIp();
        CredentialExtractor.Extraction found = endpoint.credentials().extract(new NettyAuthRequest(request, query));
        Credential credential = found.credential();
        List<String> instance = query.parameters().get("instance");
        Pending upgrade = new Pending(
                ctx,
                request,
                http,
                attempt.with(credential),
                startedNanos,
                instance == null || instance.isEmpty() ? null : instance.get(0));
        Refusal asHttp = refusalBeforeHandshake(ctx, request, ip, credential);
        if (asHttp != null) {
            upgrade.refuseAsHttp(asHttp);
            return;
        }
        if (found.refusal() != null) {
            limits.refused(ip, found.refusal());
            upgrade.attempt().refused(found.refusal());
            handshake(upgrade, c -> c.refuse(found.refusal()));
            return;
        }
        if (found.isNone()) {
            handshake(upgrade, ClientConnection::onUnauthenticatedOpen);
            return;
        }
        request.retain();
        endpoint.verifier().verify(credential).whenComplete((verdict, failure) -> {
            if (failure == null && verdict.isAccepted()) {
                limits.accepted(ip); // at once, not behind other upgrades queued on this event loop
            }
            ctx.executor().execute(() -> {
                try {
                    verified(
                            upgrade, failure == null ? verdict : Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal()));
                } finally {
                    request.release();
                }
            });
        });
    }

    /**
     * What refuses the upgrade as HTTP once its credential (if any) is found: the credential's
     * reconnect rate (429), a foreign Origin (403: the page that tried it is not ours to talk to),
     * {@code limits.connections_per_ip} behind a trusted proxy (429). Null when nothing does.
     */
    private Refusal refusalBeforeHandshake(
            ChannelHandlerContext ctx, FullHttpRequest request, String ip, Credential credential) {
        if (credential != null) {
            Refusal tooOften = limits.admitCredential(credential);
            if (tooOften != null) {
                return tooOften;
            }
        }
        boolean cookie = credential != null && credential.carrier() == CredentialCarrier.COOKIE;
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        // The server's own origin matters only against an Origin header: not worked out without one.
        Refusal foreign = origins.check(
                origin, origin == null || origin.isEmpty() ? null : addresses.serverOrigin(ctx, request), cookie);
        if (foreign != null) {
            return foreign;
        }
        ConnectionAdmission admission = ctx.pipeline().get(ConnectionAdmission.class);
        if (admission != null && !admission.countResolved(ip)) {
            // Behind a trusted proxy: counted by client IP now, once nothing else refuses it as HTTP,
            // so that a refused upgrade leaves no count behind on a connection the proxy reuses.
            return limits.tooManyConnectionsFromIp();
        }
        return null;
    }

    /** The credential was verified, off the event loop; back on it now. */
    private void verified(Pending upgrade, Verdict v) {
        if (!upgrade.ctx().channel().isActive()) {
            return;
        }
        if (v.isAccepted()) {
            handshake(upgrade, c -> c.onAuthenticatedOpen(v.principal()));
        } else {
            limits.refused(upgrade.attempt().clientIp(), v.refusal());
            upgrade.attempt().refused(v.refusal());
            handshake(upgrade, c -> c.refuse(v.refusal()));
        }
    }

    /** Completes the WebSocket handshake, rebuilds the pipeline for frames, then calls {@code opened}. */
    private void handshake(Pending upgrade, Consumer<ClientConnection> opened) {
        ChannelHandlerContext ctx = upgrade.ctx();
        FullHttpRequest request = upgrade.request();
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
                upgrade.attempt().clientIp(),
                endpoint.heartbeat(),
                endpoint.metrics(),
                endpoint.outboundBufferBytes());
        ClientConnection connection = endpoint.clients().open(transport, upgrade.attempt(), upgrade.instance());
        ctx.channel().config().setWriteBufferWaterMark(WebSocketTransport.UNAUTHENTICATED_OUTBOUND);
        var pipeline = ctx.pipeline();
        pipeline.addLast("utf8", new Utf8FrameValidator(false));
        pipeline.addLast(PreAuthLimit.NAME, new PreAuthLimit(transport));
        pipeline.addLast("fragments", new WebSocketFrameAggregator(endpoint.maxMessageBytes()));
        pipeline.addLast("connection", transport);
        pipeline.remove(upgrade.http());
        pipeline.remove(HttpDeadlines.NAME); // WebSocket connections have the auth timeout and heartbeat instead
        ChannelFuture handshook;
        try {
            handshook = handshaker.handshake(ctx.channel(), request);
        } catch (WebSocketHandshakeException incomplete) {
            // Not a complete upgrade (not GET, no Connection: Upgrade, no key): thrown before any
            // frame handler runs; answered as HTTP like any malformed request, then closed.
            upgrade.http()
                    .respond(
                            ctx,
                            false,
                            ApiResponse.refusal(
                                    RefusalCode.BAD_REQUEST.refusal(
                                            "Malformed WebSocket upgrade: send GET with Connection: Upgrade, Upgrade: websocket and Sec-WebSocket-Key")));
            return;
        }
        handshook.addListener(f -> {
            endpoint.metrics().handshake(Duration.ofNanos(System.nanoTime() - upgrade.startedNanos()));
            if (f.isSuccess()) {
                ctx.channel().config().setAutoRead(true); // off while the upgrade request was in flight
                transport.start(connection);
                opened.accept(connection);
            } else {
                ctx.close();
            }
        });
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
}
