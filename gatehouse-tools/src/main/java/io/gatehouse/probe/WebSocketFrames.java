package io.gatehouse.probe;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 6455 frames as the probe reads and writes them on an upgraded socket: it reads whatever the
 * server sends (keeping only the first bytes of each payload), and writes only control frames
 * (pong, close), masked as a client must.
 */
final class WebSocketFrames {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;

    /** Data frames are counted, and only the first's first bytes kept. */
    static final int MAX_KEPT_PAYLOAD_BYTES = 1024;
    /** How long the server may take to answer the probe's own close frame. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(1);

    private WebSocketFrames() {}

    /** One frame as read: opcode, FIN, and at most {@link #MAX_KEPT_PAYLOAD_BYTES} of its payload. */
    record Frame(int opcode, boolean fin, byte[] payload, long length) {}

    /** The next frame; an {@link java.io.EOFException} when the connection ends first. */
    static Frame read(DataInputStream in) throws IOException {
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) { // servers must not mask; read it anyway
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] kept = new byte[(int) Math.min(Math.max(length, 0), MAX_KEPT_PAYLOAD_BYTES)];
        in.readFully(kept);
        for (long skip = length - kept.length; skip > 0; ) {
            long n = in.skip(skip);
            if (n <= 0) {
                in.readUnsignedByte(); // blocks, or throws at the end of the stream
                n = 1;
            }
            skip -= n;
        }
        if (mask != null) {
            for (int i = 0; i < kept.length; i++) {
                kept[i] ^= mask[i % 4];
            }
        }
        return new Frame(b0 & 0x0F, (b0 & 0x80) != 0, kept, length);
    }

    /** The probe is done with an open socket: close 1000, and give the server a moment to answer. */
    static void closeHandshake(Socket socket, DataInputStream in, OutputStream out) {
        if (!trySend(out, CLOSE, new byte[] {(byte) 0x03, (byte) 0xE8})) { // 1000
            return;
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout(Math.max(
                        1, (int) Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
                if (read(in).opcode() == CLOSE) {
                    return;
                }
            }
        } catch (IOException e) {
            // closed or timed out: either way the probe is done with it
        }
    }

    /** Sends one masked frame, as a client must (RFC 6455 §5.3); false when the socket is gone. */
    static boolean trySend(OutputStream out, int opcode, byte[] payload) {
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        f.write(0x80 | payload.length); // control frames only: at most 125 bytes
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        f.write(mask, 0, 4);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i % 4]);
        }
        try {
            out.write(f.toByteArray());
            out.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
