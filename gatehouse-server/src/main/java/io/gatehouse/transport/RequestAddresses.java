package io.gatehouse.transport;

import io.gatehouse.auth.OriginPolicy;
import io.gatehouse.auth.ServerOrigin;
import io.gatehouse.limits.ClientAddress;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Who sent a request and to whom (SPEC §7): the client's IP, which is the socket peer unless a
 * trusted proxy says otherwise, and the server's own origin as the browser sees it. Thread-safe.
 */
final class RequestAddresses {
    private final ClientAddress clients;
    private final OriginPolicy origins;

    RequestAddresses(ClientAddress clients, OriginPolicy origins) {
        this.clients = clients;
        this.origins = origins;
    }

    /** The client's IP: the socket peer, or what a trusted proxy says. */
    String clientIp(ChannelHandlerContext ctx, HttpRequest request) {
        if (!(ctx.channel().remoteAddress() instanceof InetSocketAddress a)) {
            return String.valueOf(ctx.channel().remoteAddress());
        }
        return clients.resolve(
                a.getAddress(),
                request.headers().getAll("Forwarded"),
                request.headers().getAll("X-Forwarded-For"));
    }

    /** The server's own origin: server.public_url, a trusted proxy's forwarded host, or Host. */
    ServerOrigin serverOrigin(ChannelHandlerContext ctx, HttpRequest request) {
        InetAddress peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress() : null;
        return origins.serverOrigin(peer, request.headers()::getAll);
    }
}
