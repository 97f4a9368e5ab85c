package io.gatehouse.probe;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Signs in and sends one text message of {@link AbuseLimits#oversizedBytes} (1 MiB): a safe server
 * closes with 1009 (message too big) rather than take it into memory.
 */
final class OversizedMessage {
    /** How long the server has to close once the message is sent (or stopped being read). */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(3);

    private static final int CHUNK = 64 * 1024;

    private OversizedMessage() {}

    /** On a signed-in session whose greeting, if any, has been read. */
    static ScenarioResult run(ProbeSession session, AbuseLimits limits) {
        BoundedWrite.Result w =
                session.write(frame(limits.oversizedBytes()), Long.MAX_VALUE, limits.floodFor(), limits.stall());
        // A write that did not finish left the session muted: reading the end writes nothing.
        return judge(w, session.end(CLOSE_WAIT), limits);
    }

    static ScenarioResult judge(BoundedWrite.Result w, Outcome end, AbuseLimits limits) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("bytes_sent", w.bytes());
        facts.putAll(end.facts());
        String size = Measured.bytes(limits.oversizedBytes());
        Verdict verdict;
        String observed;
        if (end instanceof Outcome.Closed closed) {
            observed = closed.describe();
            verdict = closed.code() == 1009
                    ? Verdict.safe("closed 1009 (message too big)")
                    : Verdict.safe("closed the connection rather than take a " + size
                            + " message; 1009 would tell the client why");
        } else if (end instanceof Outcome.Dropped || w.end() == BoundedWrite.End.CUT) {
            observed = "cut after " + Measured.bytes(w.bytes()) + " of " + size;
            verdict = Verdict.safe("cut the connection rather than take a " + size
                    + " message; a close 1009 would tell the client why");
        } else if (w.end() != BoundedWrite.End.DONE) {
            observed = "stopped reading after " + Measured.bytes(w.bytes()) + " of " + size;
            verdict =
                    Verdict.safe("did not read the whole " + size + " message; a close 1009 would tell the client why");
        } else {
            observed = "accepted all " + size
                    + (end instanceof Outcome.StillOpen open
                            ? ", still open after " + Measured.seconds(open.after())
                            : "");
            verdict =
                    Verdict.unsafe("took a " + size + " message into a connection: a few thousand such messages at once"
                            + " exhaust its memory; cap message size and close 1009 past it (Gatehouse:"
                            + " limits.max_message_bytes, 64 KiB)");
        }
        return new ScenarioResult(AbuseScenario.OVERSIZED_MESSAGE, new Measured(observed, facts), verdict);
    }

    /** One masked text frame of {@code size} bytes of JSON, in chunks of {@value #CHUNK}. */
    private static Iterator<byte[]> frame(int size) {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        byte[] open = "{\"type\":\"probe\",\"data\":\"".getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) 'x');
        System.arraycopy(open, 0, payload, 0, open.length);
        payload[size - 2] = '"';
        payload[size - 1] = '}';
        for (int i = 0; i < size; i++) {
            payload[i] ^= mask[i % 4];
        }
        byte[] head = WebSocketFrames.head(WebSocketFrames.TEXT, size, mask);
        return new Iterator<>() {
            private int at = -1; // -1: the head is next

            @Override
            public boolean hasNext() {
                return at < size;
            }

            @Override
            public byte[] next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                if (at < 0) {
                    at = 0;
                    return head;
                }
                int n = Math.min(CHUNK, size - at);
                byte[] chunk = Arrays.copyOfRange(payload, at, at + n);
                at += n;
                return chunk;
            }
        };
    }
}
