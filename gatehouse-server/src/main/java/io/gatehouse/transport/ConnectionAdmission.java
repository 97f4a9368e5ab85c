package io.gatehouse.transport;

import io.gatehouse.api.ApiResponse;
import io.gatehouse.limits.ClientAddress;
import io.gatehouse.limits.ConnectionsPerIp;
import io.gatehouse.limits.RequestLimits;
import io.gatehouse.protocol.Refusal;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * {@code limits.connections_per_ip}, first in the pipeline. A connection from an address that is
 * not a trusted proxy is counted against that address when it is accepted; past the limit it is
 * answered at once with HTTP 429 TOO_MANY_CONNECTIONS, its output is shut, what it sends is
 * discarded, and it is closed within {@link #REFUSED_LINGER_MILLIS}, so one host cannot hold more
 * descriptors than the limit plus what it opens in that time. A connection from a trusted proxy
 * carries many clients: its WebSocket upgrade is counted against the resolved client address
 * instead ({@link #countResolved}). Stays in the pipeline after an upgrade, so that the count is
 * given back when the socket closes. Only used on the channel's event loop.
 */
final class ConnectionAdmission extends ChannelInboundHandlerAdapter {
    static final String NAME = "admission";
    /** How long a refused connection is kept so that the client reads the 429 instead of a reset. */
    static final long REFUSED_LINGER_MILLIS = 1000;

    private final RequestLimits limits;
    /** The address this connection is counted against, or null. */
    private String counted;

    private boolean refused;

    ConnectionAdmission(RequestLimits limits) {
        this.limits = limits;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress peer) {
            ClientAddress addresses = limits.clientAddress();
            if (!addresses.isTrustedProxy(peer.getAddress())) {
                String ip = peer.getAddress().getHostAddress();
                if (limits.connectionsPerIp().open(ip)) {
                    counted = ip;
                } else {
                    refuse(ctx, limits.tooManyConnectionsFromIp());
                    return;
                }
            }
        }
        super.channelActive(ctx);
    }

    /**
     * Behind a trusted proxy: counts this (upgraded) connection against {@code clientIp}; false when
     * that address already has limits.connections_per_ip. True when the connection is counted already.
     */
    boolean countResolved(String clientIp) {
        if (counted != null) {
            return true;
        }
        if (!limits.connectionsPerIp().open(clientIp)) {
            return false;
        }
        counted = clientIp;
        return true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg); // the request of a refused connection is not read
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ConnectionsPerIp open = limits.connectionsPerIp();
        if (counted != null) {
            open.closed(counted);
            counted = null;
        }
        if (!refused) {
            super.channelInactive(ctx);
        }
    }

    private void refuse(ChannelHandlerContext ctx, Refusal refusal) {
        refused = true;
        ApiResponse body = ApiResponse.refusal(refusal);
        // Written below the HTTP codec, which has not seen this connection: the bytes themselves.
        StringBuilder head = new StringBuilder("HTTP/1.1 ")
                .append(HttpResponseStatus.valueOf(body.status()))
                .append("\r\n")
                .append("Content-Type: application/json\r\n")
                .append("Content-Length: ")
                .append(body.body().length)
                .append("\r\n")
                .append("Connection: close\r\n");
        body.headers()
                .forEach(h -> head.append(h.getKey())
                        .append(": ")
                        .append(h.getValue())
                        .append("\r\n"));
        head.append("\r\n");
        var out = Unpooled.wrappedBuffer(head.toString().getBytes(StandardCharsets.US_ASCII), body.body());
        ctx.writeAndFlush(out).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess() && f.channel() instanceof SocketChannel socket) {
                socket.shutdownOutput(); // the client reads the answer, then its end of file
            }
        });
        ctx.executor()
                .schedule(
                        () -> {
                            ctx.close();
                        },
                        REFUSED_LINGER_MILLIS,
                        TimeUnit.MILLISECONDS);
    }
}
