package io.gatehouse.transport;

import io.gatehouse.protocol.RefusalCode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * What a WebSocket connection may send before it is authenticated (placed before the fragment
 * aggregator, removed once the connection is authenticated): a message of at most
 * {@link #MAX_MESSAGE_BYTES}, so that an unauthenticated client cannot make the aggregator hold more,
 * and at most {@link #MAX_TOTAL_BYTES} in all, frames of every kind counted. Past either, the
 * connection is closed at once ({@link WebSocketTransport#closeAbusive}). Only used on the event loop.
 */
final class PreAuthLimit extends ChannelInboundHandlerAdapter {
    static final String NAME = "preauth";
    /** The largest message before authentication: 64 KiB, or limits.max_message_bytes if smaller. */
    static final int MAX_MESSAGE_BYTES = 64 * 1024;
    /** Everything a connection may send before it is authenticated: 10 MiB. */
    static final long MAX_TOTAL_BYTES = 10L * 1024 * 1024;

    private final WebSocketTransport transport;
    private long total;
    private long message;
    private boolean refused;

    PreAuthLimit(WebSocketTransport transport) {
        this.transport = transport;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof WebSocketFrame frame) {
            int bytes = frame.content().readableBytes();
            total += bytes;
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                message = bytes;
            } else if (frame instanceof ContinuationWebSocketFrame) {
                message += bytes;
            }
            if (total > MAX_TOTAL_BYTES) {
                refuse(msg, RefusalCode.RATE_LIMITED, "More than 10 MiB sent before authenticating");
                return;
            }
            if (message > MAX_MESSAGE_BYTES) {
                refuse(msg, RefusalCode.MESSAGE_TOO_BIG, "Messages before authentication are limited to 64 KiB");
                return;
            }
        }
        super.channelRead(ctx, msg);
    }

    private void refuse(Object msg, RefusalCode code, String hint) {
        refused = true;
        ReferenceCountUtil.release(msg);
        transport.closeAbusive(code.refusal(hint));
    }
}
