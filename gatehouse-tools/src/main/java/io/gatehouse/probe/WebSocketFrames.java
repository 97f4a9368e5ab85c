package io.gatehouse.probe;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RFC 6455 frames as the probe reads and writes them on an upgraded socket: it reads whatever the
 * server sends (keeping only the first bytes of each payload), and writes frames masked as a
 * client must: control frames (pong, close), and for the abuse scenarios text and ping frames.
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

    /** A close frame the server sent, answered with its code as RFC 6455 §5.5.1 asks (unless {@code out} is null). */
    static Outcome.Closed answerClose(OutputStream out, Frame frame, Duration after, Outcome.Received received) {
        byte[] p = frame.payload();
        int code = p.length >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : Outcome.Closed.NO_STATUS;
        String reason = p.length > 2 ? new String(p, 2, p.length - 2, StandardCharsets.UTF_8) : "";
        if (out != null) {
            trySend(out, CLOSE, p.length >= 2 ? new byte[] {p[0], p[1]} : new byte[0]);
        }
        return new Outcome.Closed(code, ProbeClient.abbreviate(reason), after, received);
    }

    /** One masked text frame of any length. */
    static byte[] text(String message) {
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] head = head(TEXT, payload.length, mask);
        byte[] frame = Arrays.copyOf(head, head.length + payload.length);
        for (int i = 0; i < payload.length; i++) {
            frame[head.length + i] = (byte) (payload[i] ^ mask[i % 4]);
        }
        return frame;
    }

    /**
     * The first two to fourteen bytes of a masked, final frame: opcode, length (7, 16 or 64 bits)
     * and masking key; the payload, masked with {@code mask}, follows.
     */
    static byte[] head(int opcode, long length, byte[] mask) {
        ByteBuffer b = ByteBuffer.allocate(14);
        b.put((byte) (0x80 | opcode));
        if (length < 126) {
            b.put((byte) (0x80 | length));
        } else if (length <= 0xFFFF) {
            b.put((byte) (0x80 | 126)).putShort((short) length);
        } else {
            b.put((byte) (0x80 | 127)).putLong(length);
        }
        b.put(mask);
        return Arrays.copyOf(b.array(), b.position());
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
