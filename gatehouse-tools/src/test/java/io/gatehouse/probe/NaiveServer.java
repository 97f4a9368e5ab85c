package io.gatehouse.probe;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A WebSocket server on a free loopback port with no checks of its own: it does the RFC 6455
 * handshake by hand and then does what its {@link Reaction} function says for each upgrade
 * request: echo text frames forever (the naive server), or refuse in one of the ways the probe
 * must flag.
 */
final class NaiveServer implements AutoCloseable {
    private static final String ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    /** What the server does with one upgrade request. */
    enum Reaction {
        /** Upgrade and echo every text frame; answer close with close. */
        ECHO,
        /** As {@link #ECHO}, after sending one text message at once (as Gatehouse's connection_established). */
        GREET,
        /** Answer {@code HTTP/1.1 401 Unauthorized} before the upgrade. */
        HTTP_401,
        /** Answer {@code HTTP/1.1 403 Forbidden} before the upgrade: Starlette's answer to a close before accept(). */
        HTTP_403,
        /** Upgrade, then send a close frame with no code and no reason. */
        CLOSE_WITHOUT_CODE,
        /** Upgrade, then close the TCP connection without a close frame. */
        DROP,
        /** Upgrade, close 4401 with a reason, as a server that refuses readably but never rate-limits. */
        CLOSE_4401,
        /**
         * Upgrade and speak a little of Gatehouse's protocol with no bound anywhere: greet with
         * {@code connection_established}, answer every subscribe {@code subscribed}, read messages of
         * any size, and queue a pong for every ping in memory, written by a thread of its own whether
         * or not the client reads them.
         */
        UNBOUNDED,
        /** Upgrade, then never read again: TCP backpressure stops a flood. */
        STOP_READING
    }

    /** An upgrade request as the server read it: the request target and the headers (names in lower case). */
    record Request(String target, Map<String, String> headers) {
        /** Whether the request carries {@code token} in a header, the subprotocol or the query, as a real server might take it. */
        boolean carries(String token) {
            return ("Bearer " + token).equals(headers.get("authorization"))
                    || headers.getOrDefault("sec-websocket-protocol", "").contains("gatehouse.bearer." + token)
                    || target.contains("token=" + token);
        }
    }

    private final ServerSocket server;
    private final Function<Request, Reaction> reaction;
    /** How long a connection may take to send its request; 0 for ever. */
    private volatile int requestTimeoutMillis;
    /** Every connection's socket, so that {@link #close} ends them all. */
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private NaiveServer(ServerSocket server, Function<Request, Reaction> reaction) {
        this.server = server;
        this.reaction = reaction;
        Thread accepter = new Thread(this::acceptLoop, "naive-server-accept");
        accepter.setDaemon(true);
        accepter.start();
    }

    static NaiveServer start(Function<Request, Reaction> reaction) {
        try {
            return new NaiveServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), reaction);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** As {@link #start}, behind TLS with {@code tls}'s certificate: reach it at {@link #wss()}. */
    static NaiveServer startTls(SSLContext tls, Function<Request, Reaction> reaction) {
        try {
            return new NaiveServer(
                    tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress()), reaction);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts every upgrade, whatever it carries, and echoes. */
    static NaiveServer acceptingEverything() {
        return start(request -> Reaction.ECHO);
    }

    /** Closes connections that have not sent a whole request within {@code millis}. */
    NaiveServer withRequestTimeout(int millis) {
        this.requestTimeoutMillis = millis;
        return this;
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/ws");
    }

    /** The URL of a server started by {@link #startTls}, by the name its test certificate carries. */
    URI wss() {
        return URI.create("wss://localhost:" + server.getLocalPort() + "/ws");
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                Thread t = new Thread(() -> serve(s), "naive-server-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            socket.setSoTimeout(requestTimeoutMillis);
            Request request = readRequest(in);
            socket.setSoTimeout(0);
            Reaction r = reaction.apply(request);
            if (r == Reaction.HTTP_401 || r == Reaction.HTTP_403) {
                String status = r == Reaction.HTTP_401 ? "401 Unauthorized" : "403 Forbidden";
                out.write(("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            out.write(
                    ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                                    + accept(request.headers().get("sec-websocket-key")) + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            switch (r) {
                case DROP -> {
                    return;
                }
                case CLOSE_WITHOUT_CODE -> {
                    out.write(new byte[] {(byte) 0x88, 0});
                    out.flush();
                    awaitClose(in);
                }
                case ECHO -> echo(in, out);
                case GREET -> {
                    byte[] hello = "{\"type\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
                    out.write(new byte[] {(byte) 0x81, (byte) hello.length});
                    out.write(hello);
                    out.flush();
                    echo(in, out);
                }
                case CLOSE_4401 -> {
                    byte[] reason = "TOKEN_INVALID".getBytes(StandardCharsets.US_ASCII);
                    out.write(new byte[] {(byte) 0x88, (byte) (2 + reason.length), (byte) (4401 >> 8), (byte) 4401});
                    out.write(reason);
                    out.flush();
                    awaitClose(in);
                }
                case UNBOUNDED -> unbounded(in, out);
                case STOP_READING -> {
                    while (!socket.isClosed()) {
                        sleep(100);
                    }
                }
                case HTTP_401, HTTP_403 -> throw new AssertionError("answered above");
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            sockets.remove(socket);
        }
    }

    private static Request readRequest(DataInputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (!buf.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            buf.write(b);
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(
                    lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        return new Request(lines[0].split(" ")[1], headers);
    }

    /** Echoes text frames until the client closes. */
    private static void echo(DataInputStream in, OutputStream out) throws IOException {
        while (true) {
            int b0 = in.readUnsignedByte();
            byte[] payload = readMaskedPayload(in);
            int opcode = b0 & 0x0F;
            if (opcode == 0x8) {
                out.write(new byte[] {(byte) 0x88, (byte) payload.length});
                out.write(payload);
                out.flush();
                return;
            }
            if (opcode == 0x1 && payload.length < 126) {
                out.write(new byte[] {(byte) 0x81, (byte) payload.length});
                out.write(payload);
                out.flush();
            }
        }
    }

    /** Greets, answers subscribes, reads anything, and queues pongs without bound (see {@link Reaction#UNBOUNDED}). */
    private static void unbounded(DataInputStream in, OutputStream out) throws IOException {
        LinkedBlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
        Thread writer = new Thread(
                () -> {
                    try {
                        while (true) {
                            out.write(outbox.take());
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // the client went away
                    }
                },
                "naive-server-writer");
        writer.setDaemon(true);
        writer.start();
        try {
            outbox.add(text("{\"type\":\"connection_established\",\"connection_id\":\"naive\"}"));
            while (true) {
                int opcode = in.readUnsignedByte() & 0x0F;
                byte[] payload = readMaskedPayload(in);
                if (opcode == 0x8) {
                    return;
                }
                if (opcode == 0x9) {
                    byte[] pong = new byte[2 + payload.length];
                    pong[0] = (byte) 0x8A;
                    pong[1] = (byte) payload.length;
                    System.arraycopy(payload, 0, pong, 2, payload.length);
                    outbox.add(pong);
                } else if (opcode == 0x1 && payload.length < 1024) {
                    String message = new String(payload, StandardCharsets.UTF_8);
                    Matcher id = Pattern.compile("\"id\":\"([^\"]*)\"").matcher(message);
                    if (message.contains("\"subscribe\"") && id.find()) {
                        outbox.add(text("{\"type\":\"subscribed\",\"id\":\"" + id.group(1) + "\"}"));
                    }
                }
            }
        } finally {
            writer.interrupt();
        }
    }

    /** An unmasked text frame of fewer than 126 bytes. */
    private static byte[] text(String message) {
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);
        byte[] frame = new byte[2 + payload.length];
        frame[0] = (byte) 0x81;
        frame[1] = (byte) payload.length;
        System.arraycopy(payload, 0, frame, 2, payload.length);
        return frame;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitClose(DataInputStream in) throws IOException {
        while ((in.readUnsignedByte() & 0x0F) != 0x8) {
            readMaskedPayload(in);
        }
    }

    /** A client frame's payload after its first byte, of any length up to 2 GiB. */
    private static byte[] readMaskedPayload(DataInputStream in) throws IOException {
        long length = in.readUnsignedByte() & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        byte[] mask = new byte[4];
        in.readFully(mask);
        byte[] payload = new byte[Math.toIntExact(length)];
        in.readFully(payload);
        for (int i = 0; i < length; i++) {
            payload[i] ^= mask[i % 4];
        }
        return payload;
    }

    private static String accept(String key) {
        try {
            return Base64.getEncoder()
                    .encodeToString(MessageDigest.getInstance("SHA-1")
                            .digest((key + ACCEPT_GUID).getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
