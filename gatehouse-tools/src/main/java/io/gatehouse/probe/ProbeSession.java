package io.gatehouse.probe;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;

/**
 * An upgraded connection that an abuse scenario drives ({@link ProbeClient#open}): it sends frames,
 * reads the server's messages (answering pings), and tells how the connection ended.
 */
final class ProbeSession implements AutoCloseable {
    /** The send buffer of a {@link #write}: small, so that the bytes it counts are the server's. */
    static final int SEND_BUFFER = 64 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final long upgradedAt = System.nanoTime();
    /**
     * Set once a {@link #write} did not finish: its writer may still hold the socket's output, so
     * the session writes nothing more (no pong, no close) and {@link #close} aborts.
     */
    private volatile boolean mute;

    ProbeSession(Socket socket, DataInputStream in, OutputStream out) {
        this.socket = socket;
        this.in = in;
        this.out = out;
    }

    /** What {@link #next} read: a text message (its first KiB), or how the connection ended. */
    record Incoming(String message, Outcome end) {}

    /**
     * The next text message within {@code within}; else how the connection ended: a close, a drop,
     * or {@link Outcome.StillOpen} when nothing came in time.
     */
    Incoming next(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Incoming(
                        null, new Outcome.StillOpen(ProbeClient.since(upgradedAt), Outcome.Received.NOTHING));
            }
            WebSocketFrames.Frame frame;
            try {
                socket.setSoTimeout(Math.max(1, (int) Duration.ofNanos(left).toMillis()));
                frame = WebSocketFrames.read(in);
            } catch (SocketTimeoutException e) {
                continue; // the deadline has passed: answered above
            } catch (IOException e) {
                return new Incoming(null, new Outcome.Dropped(ProbeClient.since(upgradedAt), Outcome.Received.NOTHING));
            }
            switch (frame.opcode()) {
                case WebSocketFrames.CLOSE -> {
                    return new Incoming(
                            null,
                            WebSocketFrames.answerClose(
                                    mute ? null : out, frame, ProbeClient.since(upgradedAt), Outcome.Received.NOTHING));
                }
                case WebSocketFrames.PING -> {
                    if (!mute) {
                        WebSocketFrames.trySend(out, WebSocketFrames.PONG, frame.payload());
                    }
                }
                case WebSocketFrames.TEXT, WebSocketFrames.CONTINUATION -> {
                    return new Incoming(new String(frame.payload(), StandardCharsets.UTF_8), null);
                }
                case WebSocketFrames.BINARY -> {
                    return new Incoming("(binary, " + frame.length() + " bytes)", null);
                }
                default -> {
                    // pongs and reserved opcodes
                }
            }
        }
    }

    /** Reads (and drops) messages until the connection ends or {@code within} has passed: how it ended. */
    Outcome end(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Incoming incoming = next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (incoming.end() != null) {
                return incoming.end();
            }
        }
    }

    /**
     * Writes {@code chunks} as {@link BoundedWrite} does, through a send buffer of
     * {@value #SEND_BUFFER} bytes, so that what it counts is what the server took and not what the
     * probe's own kernel buffer held. Unless every chunk went out, the session is muted.
     */
    BoundedWrite.Result write(Iterator<byte[]> chunks, long maxBytes, Duration maxTime, Duration stall) {
        try {
            socket.setSendBufferSize(SEND_BUFFER);
        } catch (SocketException e) {
            // the default buffer only makes the count a little larger
        }
        BoundedWrite.Result w = BoundedWrite.write(out, chunks, maxBytes, maxTime, stall);
        if (w.end() != BoundedWrite.End.DONE) {
            mute = true;
        }
        return w;
    }

    /** Sends one text message; a connection that is gone shows in what {@link #next} reads then. */
    void send(String message) {
        try {
            out.write(WebSocketFrames.text(message));
            out.flush();
        } catch (IOException e) {
            // next() reads the drop
        }
    }

    /**
     * Ends the connection at once with a TCP reset, dropping what is still queued: for a flooded
     * socket, whose close frame could wait behind megabytes the server no longer reads.
     */
    private void abort() {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException e) {
            // closed already
        }
        ProbeClient.closeQuietly(socket);
    }

    /** Says goodbye (close 1000, a second for the answer), or aborts when muted, and closes the socket. */
    @Override
    public void close() {
        if (mute) {
            abort();
        } else if (!socket.isClosed()) {
            WebSocketFrames.closeHandshake(socket, in, out);
            ProbeClient.closeQuietly(socket);
        }
    }
}
