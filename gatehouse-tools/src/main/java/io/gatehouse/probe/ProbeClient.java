package io.gatehouse.probe;

import static io.gatehouse.probe.WebSocketFrames.BINARY;
import static io.gatehouse.probe.WebSocketFrames.CLOSE;
import static io.gatehouse.probe.WebSocketFrames.CONTINUATION;
import static io.gatehouse.probe.WebSocketFrames.PING;
import static io.gatehouse.probe.WebSocketFrames.PONG;
import static io.gatehouse.probe.WebSocketFrames.TEXT;
import static io.gatehouse.probe.WebSocketFrames.trySend;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedInputStream;
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

/**
 * A WebSocket client written for probing: it writes the RFC 6455 upgrade by hand over a plain
 * (or TLS) socket, so it sees what browser clients hide: the HTTP status of a refused upgrade,
 * the close code and reason, and whether a close frame came at all. One {@link #send} is one
 * connection; the client holds no state between them. The upgrade's HTTP is {@link HttpUpgrade}'s,
 * the frames after it {@link WebSocketFrames}'.
 */
public final class ProbeClient {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long the server may take to answer the upgrade request. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    static final int MAX_SHOWN_CHARS = 80;
    /** Answers of HTTP 429 are waited out and retried this many times. */
    static final int RATE_LIMIT_RETRIES = 5;

    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ProbeTls tls;

    /** Checks a {@code wss://} server's certificate against the JVM's trust store. */
    public ProbeClient() {
        this(ProbeTls.system());
    }

    /** Checks a {@code wss://} server's certificate as {@code tls} says. */
    public ProbeClient(ProbeTls tls) {
        this.tls = tls;
    }

    /**
     * Sends {@code attempt} on a new connection and watches it. A server that answers HTTP 429 is
     * waited out and asked again.
     *
     * @throws ProbeException when the server cannot be reached (refused, unknown host, TLS
     *     failure) or keeps answering 429
     */
    public Outcome send(Attempt attempt) throws ProbeException {
        return retrying(attempt, false).outcome();
    }

    /** As {@link #send}, but once: an HTTP 429 is the outcome. */
    Outcome sendOnce(Attempt attempt) throws ProbeException {
        return once(attempt, false).outcome();
    }

    /**
     * Upgrades for the caller to drive: a session when the server switched protocols, else the
     * outcome of the refusal. 429 is waited out as by {@link #send}.
     */
    Opened open(Attempt attempt) throws ProbeException {
        return retrying(attempt, true);
    }

    /** What an upgrade request came to: a refusal's {@link #outcome}, or an upgraded {@link #session}. */
    record Opened(Outcome outcome, ProbeSession session, Duration retryAfter) {
        static Opened answered(Outcome outcome) {
            return new Opened(outcome, null, null);
        }
    }

    private Opened retrying(Attempt attempt, boolean keep) throws ProbeException {
        for (int tries = 0; ; tries++) {
            Opened answer = once(attempt, keep);
            if (answer.retryAfter() == null) {
                return answer;
            }
            if (tries == RATE_LIMIT_RETRIES) {
                throw new ProbeException(
                        describe(attempt.uri()) + " keeps answering HTTP 429 (rate limited); probe again later,"
                                + " or raise the server's per-IP upgrade limit for the probing address");
            }
            sleep(answer.retryAfter());
        }
    }

    private Opened once(Attempt attempt, boolean keep) throws ProbeException {
        URI uri = attempt.uri();
        Socket socket = connect(uri);
        boolean handedOver = false;
        try {
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            OutputStream out = socket.getOutputStream();
            String key = Base64.getEncoder().encodeToString(randomBytes(16));
            try {
                out.write(HttpUpgrade.request(attempt, key).getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (IOException e) {
                return Opened.answered(new Outcome.NoAnswer(
                        "the connection failed while sending the upgrade (" + e.getMessage() + ")"));
            }
            socket.setSoTimeout(millis(ANSWER_TIMEOUT));
            HttpUpgrade.Head head;
            try {
                head = HttpUpgrade.readHead(in);
            } catch (SocketTimeoutException e) {
                return Opened.answered(new Outcome.NoAnswer("none within " + ANSWER_TIMEOUT.toSeconds() + " s"));
            } catch (EOFException e) {
                return Opened.answered(new Outcome.NoAnswer("the server closed the connection"));
            } catch (IOException e) {
                return Opened.answered(new Outcome.NoAnswer(e.getMessage()));
            }
            if (head.status() != 101) {
                return refused(socket, in, head);
            }
            if (keep) {
                handedOver = true;
                return new Opened(null, new ProbeSession(socket, in, out), null);
            }
            return Opened.answered(watch(socket, in, out, attempt));
        } catch (IOException e) {
            // Setting a time-out failed: the connection broke under the probe.
            throw new ProbeException("I/O error talking to " + describe(uri) + ": " + e.getMessage());
        } finally {
            if (!handedOver) {
                closeQuietly(socket);
            }
        }
    }

    /**
     * A TCP connection to the URL's host and port, with TLS for {@code wss://} unless
     * {@code plainOnly}: for the probe's own requests and for the abuse scenarios that send no upgrade.
     */
    Socket connect(URI uri, boolean plainOnly) throws ProbeException {
        return plainOnly ? plain(uri) : connect(uri);
    }

    private Socket connect(URI uri) throws ProbeException {
        Socket plain = plain(uri);
        if (!"wss".equalsIgnoreCase(uri.getScheme())) {
            return plain;
        }
        String host = uri.getHost();
        int port = port(uri);
        try {
            return tls.wrap(plain, host, port, millis(ANSWER_TIMEOUT));
        } catch (IOException e) {
            closeQuietly(plain);
            String fix = tls.fixFor(e);
            throw new ProbeException("TLS handshake with " + host + ":" + port + " failed: " + e.getMessage()
                    + (fix.isEmpty() ? "" : "; " + fix));
        }
    }

    private static Socket plain(URI uri) throws ProbeException {
        String host = uri.getHost();
        int port = port(uri);
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
        return plain;
    }

    private static int port(URI uri) {
        return uri.getPort() == -1 ? ProbeOptions.defaultPort(uri) : uri.getPort();
    }

    /** Not upgraded: reads what the body says (a JSON {@code code}, a {@code retry_after_ms}). */
    private static Opened refused(Socket socket, DataInputStream in, HttpUpgrade.Head head) {
        JsonNode body = HttpUpgrade.readJsonBody(socket, in, head);
        String code =
                body.path("code").isTextual() ? abbreviate(body.path("code").asText()) : null;
        Outcome.Refused outcome = new Outcome.Refused(head.status(), head.statusText(), code);
        if (head.status() != 429) {
            return Opened.answered(outcome);
        }
        Duration wait = Duration.ofSeconds(1);
        if (body.path("retry_after_ms").canConvertToLong()) {
            wait = Duration.ofMillis(body.path("retry_after_ms").asLong());
        } else if (head.headers().getOrDefault("retry-after", "").matches("\\d{1,6}")) {
            wait = Duration.ofSeconds(Long.parseLong(head.headers().get("retry-after")));
        }
        return new Opened(outcome, null, wait.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : wait);
    }

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
                WebSocketFrames.closeHandshake(socket, in, out);
                return new Outcome.StillOpen(since(upgradedAt), received);
            }
            WebSocketFrames.Frame frame;
            try {
                socket.setSoTimeout(Math.max(1, (int) Duration.ofNanos(left).toMillis()));
                frame = WebSocketFrames.read(in);
            } catch (SocketTimeoutException e) {
                WebSocketFrames.closeHandshake(socket, in, out);
                return new Outcome.StillOpen(since(upgradedAt), received);
            } catch (IOException e) {
                return new Outcome.Dropped(since(upgradedAt), received);
            }
            switch (frame.opcode()) {
                case CLOSE -> {
                    return WebSocketFrames.answerClose(out, frame, since(upgradedAt), received);
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
                            WebSocketFrames.closeHandshake(socket, in, out);
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

    private static String describe(URI uri) {
        return uri.getHost() + ":" + port(uri);
    }

    /** {@code s} without control characters, cut to {@value #MAX_SHOWN_CHARS} characters: for the table. */
    static String abbreviate(String s) {
        String clean = s.replaceAll("\\p{Cntrl}", " ");
        return clean.length() > MAX_SHOWN_CHARS ? clean.substring(0, MAX_SHOWN_CHARS) + "..." : clean;
    }

    static Duration since(long nanos) {
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

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // nothing more to do with it
        }
    }
}
