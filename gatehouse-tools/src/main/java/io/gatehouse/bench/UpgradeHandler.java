package io.gatehouse.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The client half of the WebSocket opening handshake (RFC 6455 §4.1), cut to what a load client
 * needs: it writes one ready-made upgrade request, reads the answer's head, and on
 * {@code 101} with the right {@code Sec-WebSocket-Accept} puts the frame decoder and encoder in
 * its place; the bytes after the head go on to the decoder. Anything else fails the connection
 * with the status line. It costs a fraction of Netty's general HTTP client path, which matters
 * at tens of thousands of handshakes a second on one core.
 */
final class UpgradeHandler extends ByteToMessageDecoder {
    /** RFC 6455's own example key, and the accept value a server must answer it with. */
    static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

    static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    /** A longer answer head than this is not a WebSocket server's. */
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    private static final byte[] HEAD_END = {'\r', '\n', '\r', '\n'};
    private static final WebSocketDecoderConfig FRAMES = WebSocketDecoderConfig.newBuilder()
            .expectMaskedFrames(false) // a server's frames are not masked
            .allowExtensions(false)
            .maxFramePayloadLength(BenchClient.MAX_FRAME_BYTES)
            .build();

    private final byte[] request;
    private final BenchConnection connection;

    UpgradeHandler(URI webSocketUri, BenchConnection connection) {
        this.request = request(webSocketUri);
        this.connection = connection;
    }

    /** The GET request, with the credential in the query. */
    static byte[] request(URI uri) {
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return ("GET " + target + " HTTP/1.1\r\n"
                        + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                        + "Upgrade: websocket\r\n"
                        + "Connection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: " + KEY + "\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // From the channel's allocator: a heap buffer would cost the socket a fresh direct copy per connection.
        ctx.writeAndFlush(ctx.alloc().directBuffer(request.length).writeBytes(request));
        super.channelActive(ctx);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int end = BenchPayload.indexOf(in, HEAD_END);
        if (end < 0) {
            if (in.readableBytes() > MAX_HEAD_BYTES) {
                refuse(ctx, "upgrade answer head over " + MAX_HEAD_BYTES + " bytes");
            }
            return;
        }
        String head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
        in.readerIndex(end + HEAD_END.length);
        String statusLine = head.lines().findFirst().orElse("");
        if (!statusLine.startsWith("HTTP/1.1 101")) {
            refuse(
                    ctx,
                    "upgrade refused: " + statusLine.substring(Math.min(statusLine.length(), "HTTP/1.1 ".length())));
        } else if (!head.contains(ACCEPT)) {
            refuse(ctx, "upgrade answer without the Sec-WebSocket-Accept of its key");
        } else {
            ctx.pipeline().addAfter(ctx.name(), "ws-encoder", new WebSocket13FrameEncoder(true)); // a client masks
            ctx.pipeline().addAfter(ctx.name(), "ws-decoder", new WebSocket13FrameDecoder(FRAMES));
            ctx.pipeline().remove(this); // passes the bytes after the head to the decoder
        }
    }

    private void refuse(ChannelHandlerContext ctx, String reason) {
        connection.fail(reason);
        ctx.close();
    }
}
