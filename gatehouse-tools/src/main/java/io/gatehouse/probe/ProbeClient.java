package io.gatehouse.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A WebSocket client written for probing: it writes the RFC 6455 upgrade by hand over a plain
 * (or TLS) socket, so it sees what browser clients hide: the HTTP status of a refused upgrade,
 * the close code and reason, and whether a close frame came at all. One {@link #send} is one
 * connection; the client holds no state between them.
 */
public final class ProbeClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long the server may take to answer the upgrade request. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);
    /** How long the server may take to answer the probe's own close frame. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(1);
    /** How long a refusal's body may take once its headers are in. */
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);

    static final int MAX_HEAD_BYTES = 64 * 1024; // 64 KiB
    static final int MAX_BODY_BYTES = 4 * 1024; // 4 KiB: enough for a JSON refusal
    /** Data frames are counted, and only the first's first bytes kept. */
    static final int MAX_KEPT_PAYLOAD_BYTES = 1024;

    static final int MAX_SHOWN_CHARS = 80;
    /** Answers of HTTP 429 are waited out and retried this many times. */
    static final int RATE_LIMIT_RETRIES = 5;

    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);
    static final String USER_AGENT = "gatehouse-probe";

    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The server's answer to one request, and how long it asked the client to wait when it answered 429. */
    private record Answer(Outcome outcome, Duration retryAfter) {}

    /**
     * Sends {@code attempt} on a new connection and watches it. A server that answers HTTP 429 is
     * waited out and asked again.
     *
     * @throws ProbeException when the server cannot be reached (refused, unknown host, TLS
     *     failure) or keeps answering 429
     */
    public Outcome send(Attempt attempt) throws ProbeException {
        for (int tries = 0; ; tries++) {
            Answer answer = once(attempt);
            if (answer.retryAfter() == null) {
                return answer.outcome();
            }
            if (tries == RATE_LIMIT_RETRIES) {
                throw new ProbeException(
                        describe(attempt.uri()) + " keeps answering HTTP 429 (rate limited); probe again later,"
                                + " or raise the server's per-IP upgrade limit for the probing address");
            }
            sleep(answer.retryAfter());
        }
    }

    private Answer once(Attempt attempt) throws ProbeException {
        URI uri = attempt.uri();
        try (Socket socket = open(uri)) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            String key = Base64.getEncoder().encodeToString(randomBytes(16));
            try {
                out.write(request(attempt, key).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                return new Answer(
                        new Outcome.NoAnswer(
                                "the connection failed while sending the upgrade (" + e.getMessage() + ")"),
                        null);
            }
            socket.setSoTimeout(millis(ANSWER_TIMEOUT));
            Head head;
            try {
                head = readHead(in);
            } catch (SocketTimeoutException e) {
                return new Answer(new Outcome.NoAnswer("none within " + ANSWER_TIMEOUT.toSeconds() + " s"), null);
            } catch (EOFException e) {
                return new Answer(new Outcome.NoAnswer("the server closed the connection"), null);
            } catch (IOException e) {
                return new Answer(new Outcome.NoAnswer(e.getMessage()), null);
            }
            if (head.status() != 101) {
                return refused(socket, in, head);
            }
            return new Answer(watch(socket, in, out, attempt), null);
        } catch (IOException e) {
            // Setting a time-out or closing the socket failed: the connection broke under the probe.
            throw new ProbeException("I/O error talking to " + describe(uri) + ": " + e.getMessage());
        }
    }

    private static Socket open(URI uri) throws ProbeException {
        String host = uri.getHost();
        int port = uri.getPort() == -1 ? ProbeOptions.defaultPort(uri) : uri.getPort();
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), millis(CONNECT_TIMEOUT));
        } catch (UnknownHostException e) {
            closeQuietly(plain);
            throw new ProbeException("cannot connect to " + host + ": unknown host");
        } catch (SocketTimeoutException e) {
            closeQuietly(plain);
            throw new ProbeException("cannot connect to " + host + ":" + port + ": no answer within "
                    + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (IOException e) {
            closeQuietly(plain);
            throw new ProbeException("cannot connect to " + host + ":" + port + ": " + e.getMessage());
        }
        if (!"wss".equalsIgnoreCase(uri.getScheme())) {
            return plain;
        }
        try {
            SSLSocket tls = (SSLSocket)
                    ((SSLSocketFactory) SSLSocketFactory.getDefault()).createSocket(plain, host, port, true);
            SSLParameters parameters = tls.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS"); // check the certificate names the host
            tls.setSSLParameters(parameters);
            tls.setSoTimeout(millis(ANSWER_TIMEOUT));
            tls.startHandshake();
            return tls;
        } catch (IOException e) {
            closeQuietly(plain);
            throw new ProbeException("TLS handshake with " + host + ":" + port + " failed: " + e.getMessage());
        }
    }

    private static String request(Attempt attempt, String key) {
        URI uri = attempt.uri();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        StringBuilder b = new StringBuilder()
                .append("GET ")
                .append(path)
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                .append(" HTTP/1.1\r\n");
        header(b, "Host", ProbeOptions.authority(uri));
        header(b, "Upgrade", "websocket");
        header(b, "Connection", "Upgrade");
        header(b, "Sec-WebSocket-Key", key);
        header(b, "Sec-WebSocket-Version", "13");
        if (!attempt.subprotocols().isEmpty()) {
            header(b, "Sec-WebSocket-Protocol", String.join(", ", attempt.subprotocols()));
        }
        header(b, "User-Agent", USER_AGENT);
        attempt.headers().forEach((name, value) -> header(b, name, value));
        return b.append("\r\n").toString();
    }

    private static void header(StringBuilder b, String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("the " + name + " header must be one line");
        }
        b.append(name).append(": ").append(value).append("\r\n");
    }

    /** The status line and headers of the answer (header names in lower case, first value of each). */
    private record Head(int status, String statusText, Map<String, String> headers) {}

    private static Head readHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            if (buf.size() == MAX_HEAD_BYTES) {
                throw new IOException("the answer's headers are larger than " + MAX_HEAD_BYTES / 1024 + " KiB");
            }
            buf.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/") || !status[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP answer: " + abbreviate(lines[0]));
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(Integer.parseInt(status[1]), status.length > 2 ? status[2].trim() : "", headers);
    }

    /** Not upgraded: reads what the body says (a JSON {@code code}, a {@code retry_after_ms}). */
    private static Answer refused(Socket socket, DataInputStream in, Head head) {
        JsonNode body = readJsonBody(socket, in, head);
        String code =
                body.path("code").isTextual() ? abbreviate(body.path("code").asText()) : null;
        Outcome.Refused outcome = new Outcome.Refused(head.status(), head.statusText(), code);
        if (head.status() != 429) {
            return new Answer(outcome, null);
        }
        Duration wait = Duration.ofSeconds(1);
        if (body.path("retry_after_ms").canConvertToLong()) {
            wait = Duration.ofMillis(body.path("retry_after_ms").asLong());
        } else if (head.headers().getOrDefault("retry-after", "").matches("\\d{1,6}")) {
            wait = Duration.ofSeconds(Long.parseLong(head.headers().get("retry-after")));
        }
        return new Answer(outcome, wait.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : wait);
    }

    private static JsonNode readJsonBody(Socket socket, DataInputStream in, Head head) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout(millis(BODY_TIMEOUT));
            long length = head.headers().getOrDefault("content-length", "").matches("\\d{1,9}")
                    ? Long.parseLong(head.headers().get("content-length"))
                    : MAX_BODY_BYTES;
            byte[] chunk = new byte[512];
            while (body.size() < Math.min(length, MAX_BODY_BYTES)) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, Math.min(length, MAX_BODY_BYTES) - body.size()));
                if (n < 0) {
                    break;
                }
                body.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // a body that stops short is read as far as it went
        }
        String text = body.toString(StandardCharsets.UTF_8);
        int open = text.indexOf('{');
        int close = text.lastIndexOf('}');
        if (open < 0 || close < open) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(text.substring(open, close + 1));
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    /** One frame as read: opcode, FIN, and at most {@link #MAX_KEPT_PAYLOAD_BYTES} of its payload. */
    private record Frame(int opcode, boolean fin, byte[] payload, long length) {}

    /** Upgraded: reads frames until a close, the end of the connection, the first message if asked, or the watch ends. */
    private static Outcome watch(Socket socket, DataInputStream in, OutputStream out, Attempt attempt) {
        long upgradedAt = System.nanoTime();
        long deadline = upgradedAt + attempt.watch().toNanos();
        int messages = 0;
        String first = null;
        while (true) {
            long left = deadline - System.nanoTime();
            Outcome.Received received =
                    messages == 0 ? Outcome.Received.NOTHING : new Outcome.Received(messages, first);
            if (left <= 0) {
                closeHandshake(socket, in, out);
                return new Outcome.StillOpen(since(upgradedAt), received);
            }
            Frame frame;
            try {
                socket.setSoTimeout(Math.max(1, (int) Duration.ofNanos(left).toMillis()));
                frame = readFrame(in);
            } catch (SocketTimeoutException e) {
                closeHandshake(socket, in, out);
                return new Outcome.StillOpen(since(upgradedAt), received);
            } catch (IOException e) {
                return new Outcome.Dropped(since(upgradedAt), received);
            }
            switch (frame.opcode()) {
                case CLOSE -> {
                    byte[] p = frame.payload();
                    int code = p.length >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : Outcome.Closed.NO_STATUS;
                    String reason = p.length > 2 ? new String(p, 2, p.length - 2, StandardCharsets.UTF_8) : "";
                    trySend(
                            out,
                            CLOSE,
                            p.length >= 2
                                    ? new byte[] {p[0], p[1]}
                                    : new byte[0]); // echo the code, as RFC 6455 §5.5.1 asks
                    return new Outcome.Closed(code, abbreviate(reason), since(upgradedAt), received);
                }
                case PING -> trySend(out, PONG, frame.payload());
                case TEXT, BINARY, CONTINUATION -> {
                    if (first == null) {
                        first = frame.opcode() == BINARY
                                ? "(binary, " + frame.length() + " bytes)"
                                : abbreviate(new String(frame.payload(), StandardCharsets.UTF_8));
                    }
                    if (frame.fin()) {
                        messages++;
                        if (attempt.untilFirstMessage()) {
                            closeHandshake(socket, in, out);
                            return new Outcome.StillOpen(since(upgradedAt), new Outcome.Received(messages, first));
                        }
                    }
                }
                default -> {
                    // pongs and reserved opcodes say nothing about authentication
                }
            }
        }
    }

    private static Frame readFrame(DataInputStream in) throws IOException {
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
    private static void closeHandshake(Socket socket, DataInputStream in, OutputStream out) {
        if (!trySend(out, CLOSE, new byte[] {(byte) 0x03, (byte) 0xE8})) { // 1000
            return;
        }
        long deadline = System.nanoTime() + CLOSE_GRACE.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                socket.setSoTimeout(Math.max(
                        1, (int) Duration.ofNanos(deadline - System.nanoTime()).toMillis()));
                if (readFrame(in).opcode() == CLOSE) {
                    return;
                }
            }
        } catch (IOException e) {
            // closed or timed out: either way the probe is done with it
        }
    }

    /** Sends one masked frame, as a client must (RFC 6455 §5.3); false when the socket is gone. */
    private static boolean trySend(OutputStream out, int opcode, byte[] payload) {
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

    private static String describe(URI uri) {
        return uri.getHost() + ":" + (uri.getPort() == -1 ? ProbeOptions.defaultPort(uri) : uri.getPort());
    }

    private static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", " ");
        return clean.length() > MAX_SHOWN_CHARS ? clean.substring(0, MAX_SHOWN_CHARS) + "..." : clean;
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    private static int millis(Duration d) {
        return (int) d.toMillis();
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static void sleep(Duration d) throws ProbeException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("interrupted");
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }
}
