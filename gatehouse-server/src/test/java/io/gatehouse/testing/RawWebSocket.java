package io.gatehouse.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket client over a plain socket, for what the JDK client will not do: send invalid
 * UTF-8, leave pings unanswered, send arbitrary frames. Reads frames one at a time.
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;
    public static final int PONG = 0xA;

    /** A received frame. For a close frame, {@link #closeCode()} and {@link #closeReason()} decode it. */
    public record Frame(int opcode, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String handshakeResponse;

    private RawWebSocket(Socket socket, String handshakeResponse) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
        this.out = socket.getOutputStream();
        this.handshakeResponse = handshakeResponse;
    }

    /** Opens {@code uri} with extra header lines such as {@code "Authorization: Bearer x"}. */
    public static RawWebSocket connect(URI uri, String... headerLines) {
        return connect(uri, 0, headerLines);
    }

    /**
     * As {@link #connect(URI, String...)} with a send buffer of {@code sendBufferBytes} (0: the
     * system's), so that a flooding test cannot get far ahead of what the server has read.
     */
    public static RawWebSocket connect(URI uri, int sendBufferBytes, String... headerLines) {
        String[] lines = new String[headerLines.length + 1];
        lines[0] = "Host: " + uri.getHost() + ":" + uri.getPort();
        System.arraycopy(headerLines, 0, lines, 1, headerLines.length);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return open(uri.getHost(), uri.getPort(), sendBufferBytes, target, "1.1", lines);
    }

    /**
     * Opens a WebSocket to {@code host:port} with exactly the request head given: the request line
     * {@code GET TARGET HTTP/VERSION} and {@code headerLines}, and no Host unless one is among them
     * (a proxy that drops the port, an HTTP/1.0 client). The upgrade headers are added. The answer's
     * head is {@link #handshakeResponse}, whatever its status.
     */
    public static RawWebSocket connectExactly(
            String host, int port, String target, String httpVersion, String... headerLines) {
        return open(host, port, 0, target, httpVersion, headerLines);
    }

    private static RawWebSocket open(
            String host, int port, int sendBufferBytes, String target, String httpVersion, String... headerLines) {
        try {
            Socket s = new Socket();
            if (sendBufferBytes > 0) {
                s.setSendBufferSize(sendBufferBytes);
            }
            s.connect(new java.net.InetSocketAddress(host, port), 10_000);
            s.setSoTimeout(10_000);
            String key = Base64.getEncoder().encodeToString(new byte[16]);
            StringBuilder req = new StringBuilder()
                    .append("GET ")
                    .append(target)
                    .append(" HTTP/")
                    .append(httpVersion)
                    .append("\r\n");
            for (String h : headerLines) {
                if (h.regionMatches(true, 0, "Host:", 0, 5)) {
                    req.append(h).append("\r\n"); // first, where a client puts it
                }
            }
            req.append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                    .append("Sec-WebSocket-Key: ")
                    .append(key)
                    .append("\r\n")
                    .append("Sec-WebSocket-Version: 13\r\n");
            for (String h : headerLines) {
                if (!h.regionMatches(true, 0, "Host:", 0, 5)) {
                    req.append(h).append("\r\n");
                }
            }
            req.append("\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new RawWebSocket(s, readHeaders(s.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The status code of the handshake answer: 101 when upgraded. */
    public int status() {
        String[] first = handshakeResponse.split("\r\n", 2)[0].split(" ");
        return first.length > 1 ? Integer.parseInt(first[1]) : -1;
    }

    private static String readHeaders(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed during handshake: " + buf);
            }
            buf.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return buf.toString(StandardCharsets.US_ASCII);
    }

    public String handshakeResponse() {
        return handshakeResponse;
    }

    public RawWebSocket sendFrame(int opcode, byte[] payload) {
        return sendFrame(true, opcode, payload);
    }

    /** Sends one masked frame, as a client must. */
    public RawWebSocket sendFrame(boolean fin, int opcode, byte[] payload) {
        return sendBytes(frame(fin, opcode, payload));
    }

    /** Writes {@code bytes} as they are: frames built with {@link #frame}, many at once for a flood. */
    public RawWebSocket sendBytes(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One masked frame's bytes. */
    public static byte[] frame(boolean fin, int opcode, byte[] payload) {
        try {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            f.write((fin ? 0x80 : 0) | opcode);
            int len = payload.length;
            if (len < 126) {
                f.write(0x80 | len);
            } else if (len <= 0xFFFF) {
                f.write(0x80 | 126);
                f.write(len >>> 8);
                f.write(len & 0xFF);
            } else {
                f.write(0x80 | 127);
                for (int i = 7; i >= 0; i--) {
                    f.write((int) ((long) len >>> (8 * i)) & 0xFF);
                }
            }
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            f.write(mask);
            for (int i = 0; i < len; i++) {
                f.write(payload[i] ^ mask[i % 4]);
            }
            return f.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public RawWebSocket sendText(String text) {
        return sendFrame(TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The next frame; fails if none arrives within {@code timeoutMillis}. */
    public Frame readFrame(int timeoutMillis) {
        try {
            socket.setSoTimeout(timeoutMillis);
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long len = b1 & 0x7F;
            if (len == 126) {
                len = in.readUnsignedShort();
            } else if (len == 127) {
                len = in.readLong();
            }
            byte[] payload = new byte[(int) len];
            in.readFully(payload);
            return new Frame(b0 & 0x0F, payload);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no frame within " + timeoutMillis + " ms");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the server sends until it closes the connection (an HTTP body after a refused upgrade). */
    public String readToEnd(int timeoutMillis) {
        try {
            socket.setSoTimeout(timeoutMillis);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The body of an HTTP answer to the upgrade (a refusal), by its Content-Length; the connection may stay open. */
    public String readHttpBody(int timeoutMillis) {
        int length = 0;
        for (String line : handshakeResponse.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(
                        line.substring("content-length:".length()).trim());
            }
        }
        try {
            socket.setSoTimeout(timeoutMillis);
            byte[] body = new byte[length];
            in.readFully(body);
            return new String(body, StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no whole body within " + timeoutMillis + " ms");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads frames until a close frame; returns it. */
    public Frame awaitClose(int timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            int left = (int) Math.max(1, deadline - System.currentTimeMillis());
            Frame f = readFrame(left);
            if (f.opcode() == CLOSE) {
                return f;
            }
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
