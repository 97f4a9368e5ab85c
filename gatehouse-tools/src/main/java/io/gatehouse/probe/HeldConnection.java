package io.gatehouse.probe;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A connection that never finishes its request: a silent TCP connection (no TLS handshake either),
 * or an upgrade request whose header stops half-way. Timed until the server closes it: a safe
 * server closes within {@link AbuseLimits#slowClose} (Gatehouse: {@code server.request_timeout},
 * 10 s), a slow one within {@link AbuseLimits#giveUp} (nginx's defaults are 60 s); one that holds it
 * longer lets a few thousand such sockets take all its descriptors or threads.
 */
final class HeldConnection {
    private HeldConnection() {}

    /** @param opened told of the socket as soon as it is open, so that the caller can close it early */
    static ScenarioResult run(
            ProbeClient client, URI url, AbuseScenario which, AbuseLimits limits, Consumer<Socket> opened)
            throws ProbeException {
        boolean half = which == AbuseScenario.HALF_SENT_HEADER;
        Socket socket = client.connect(url, !half);
        opened.accept(socket);
        long start = System.nanoTime();
        long answered = 0;
        String ended;
        try (socket) {
            if (half) {
                socket.getOutputStream()
                        .write(("GET " + HttpUpgrade.path(url) + " HTTP/1.1\r\nHost: " + ProbeOptions.authority(url)
                                        + "\r\nUpgrade: websocket\r\n")
                                .getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                start = System.nanoTime();
            }
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (true) {
                long left = limits.giveUp().toNanos() - (System.nanoTime() - start);
                if (left <= 0) {
                    ended = null;
                    break;
                }
                socket.setSoTimeout(Math.max(1, (int) Duration.ofNanos(left).toMillis()));
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    continue; // the give-up time has passed: answered above
                }
                if (n < 0) {
                    ended = "closed";
                    break;
                }
                answered += n;
            }
        } catch (IOException e) {
            ended = "reset";
        }
        return judge(which, ended, ProbeClient.since(start), answered, limits);
    }

    /**
     * @param ended {@code closed} or {@code reset}; null when still open at {@link AbuseLimits#giveUp}
     * @param answered the bytes the server sent before it closed (a 408, say)
     */
    static ScenarioResult judge(AbuseScenario which, String ended, Duration after, long answered, AbuseLimits limits) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("closed", ended != null);
        facts.put("after_ms", after.toMillis());
        facts.put("bytes_answered", answered);
        String what = which == AbuseScenario.SILENT_CONNECTION ? "a silent connection" : "a half-sent request";
        String fix = "close connections that have not sent a whole request within about 10 s (Gatehouse:"
                + " server.request_timeout; nginx: client_header_timeout)";
        Verdict verdict;
        String observed;
        if (ended == null) {
            observed = "still open after " + Measured.seconds(after) + ", gave up";
            verdict = Verdict.unsafe("held " + what + " for over " + Measured.seconds(limits.giveUp())
                    + ": a few thousand such sockets take all its descriptors or threads; " + fix);
        } else {
            observed = ended + " after " + Measured.seconds(after)
                    + (answered > 0 ? ", after answering " + Measured.bytes(answered) : "");
            verdict = after.compareTo(limits.slowClose()) <= 0
                    ? Verdict.safe("closed " + what + " within " + Measured.seconds(limits.slowClose()))
                    : Verdict.warn("held " + what + " for " + Measured.seconds(after) + ", more than "
                            + Measured.seconds(limits.slowClose()) + ": " + fix);
        }
        return new ScenarioResult(which, new Measured(observed, facts), verdict);
    }
}
