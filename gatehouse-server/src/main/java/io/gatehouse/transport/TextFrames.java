package io.gatehouse.transport;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Server text frames (RFC 6455 §5.2: FIN, opcode 1, unmasked) built as wire bytes once per message
 * and event loop, then shared: a fan-out burst hands the same {@link EncodedMessage} to thousands
 * of connections, and each write is a retained duplicate of one direct buffer instead of a frame
 * object, a fresh buffer and a copy in the WebSocket encoder (which lets a {@link ByteBuf} through
 * as it is). Each event loop keeps the last frame it built; confined to that thread.
 */
final class TextFrames {
    private static final FastThreadLocal<TextFrames> LAST = new FastThreadLocal<>() {
        @Override
        protected TextFrames initialValue() {
            return new TextFrames();
        }

        @Override
        protected void onRemoval(TextFrames last) {
            last.forget();
        }
    };

    private EncodedMessage message;
    private ByteBuf frame;

    private TextFrames() {}

    /** The frame of {@code m}, for one write (the caller's reference); on an event loop. */
    static ByteBuf of(EncodedMessage m, ByteBufAllocator alloc) {
        TextFrames last = LAST.get();
        if (last.message != m) {
            last.forget();
            last.frame = frame(m.utf8(), alloc);
            last.message = m;
        }
        return last.frame.retainedDuplicate();
    }

    /** The unmasked final text frame of {@code payload}: a 2, 4 or 10-byte header, then the payload. */
    static ByteBuf frame(byte[] payload, ByteBufAllocator alloc) {
        int n = payload.length;
        ByteBuf b = alloc.directBuffer((n < 126 ? 2 : n < 65_536 ? 4 : 10) + n);
        b.writeByte(0x81); // FIN + text
        if (n < 126) {
            b.writeByte(n);
        } else if (n < 65_536) {
            b.writeByte(126).writeShort(n);
        } else {
            b.writeByte(127).writeLong(n);
        }
        return b.writeBytes(payload);
    }

    private void forget() {
        if (frame != null) {
            frame.release();
            frame = null;
            message = null;
        }
    }
}
