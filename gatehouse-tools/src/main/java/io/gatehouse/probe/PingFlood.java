package io.gatehouse.probe;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Upgrades without a credential and sends ping frames for {@link AbuseLimits#floodFor} without
 * reading a byte, judged by how much the server took: a server that cuts the connection or stops
 * reading (TCP backpressure) is safe; one that reads all of {@link AbuseLimits#floodBytes} while its
 * pongs go unread is queueing them in memory.
 */
final class PingFlood {
    /** The largest control-frame payload, so each ping asks for the largest pong. */
    private static final int PAYLOAD = 125;

    private static final int PINGS_PER_CHUNK = 64;

    private PingFlood() {}

    static ScenarioResult run(ProbeClient client, ProbeOptions options, AbuseLimits limits) throws ProbeException {
        Attempt noCredential = new Attempt(options.url(), Map.of(), List.of(), Duration.ZERO, false);
        ProbeClient.Opened opened = client.open(noCredential);
        if (opened.session() == null) {
            return new ScenarioResult(
                    AbuseScenario.PING_FLOOD,
                    opened.outcome(),
                    Verdict.safe("no connection without a credential to flood: the upgrade was refused"));
        }
        try (ProbeSession session = opened.session()) {
            BoundedWrite.Result w = session.write(pings(), limits.floodBytes(), limits.floodFor(), limits.stall());
            String ended = w.end() == BoundedWrite.End.CUT ? closeOf(session) : "";
            return judge(w, ended, limits); // never DONE: the session is muted, and closing aborts it
        }
    }

    /** After a cut: the close frame among the pongs, if the server sent one, e.g. {@code " (close 4429 RATE_LIMITED)"}. */
    private static String closeOf(ProbeSession session) {
        Outcome end = session.end(Duration.ofMillis(500));
        return end instanceof Outcome.Closed closed ? " (" + closed.describe() + ")" : "";
    }

    static ScenarioResult judge(BoundedWrite.Result w, String ended, AbuseLimits limits) {
        String took = Measured.bytes(w.bytes()) + " in " + Measured.seconds(w.after());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("bytes_accepted", w.bytes());
        facts.put("after_ms", w.after().toMillis());
        facts.put("ended", w.end().name().toLowerCase(Locale.ROOT));
        Verdict verdict;
        String observed;
        switch (w.end()) {
            case CUT -> {
                observed = "cut after " + took + ended;
                verdict = Verdict.safe("cut the connection of a client flooding it with pings");
            }
            case STALLED -> {
                observed = "stopped reading after " + took;
                verdict = Verdict.safe("stopped reading from a client that does not read its pongs (TCP backpressure)");
            }
            case CAPPED, DONE -> {
                observed = "read all " + took + ", pongs unread";
                verdict =
                        Verdict.unsafe("kept reading pings whose pongs the client never read: it queues them in memory"
                                + " (or reads a flood without bound); stop reading from such a client or close it, and count"
                                + " control frames against the message rate limit (Gatehouse: 4429 past"
                                + " limits.messages_per_connection)");
            }
            default -> { // OUT_OF_TIME
                observed = "still reading after " + took;
                verdict = Verdict.warn("neither cut the flood nor stopped reading it within "
                        + Measured.seconds(limits.floodFor()) + ", but took less than "
                        + Measured.bytes(limits.floodBytes()) + ": on a slow link the probe cannot tell; probe from"
                        + " closer to the server");
            }
        }
        return new ScenarioResult(AbuseScenario.PING_FLOOD, new Measured(observed, facts), verdict);
    }

    /** The same chunk of {@value #PINGS_PER_CHUNK} masked pings, over and over. */
    private static Iterator<byte[]> pings() {
        byte[] chunk = new byte[PINGS_PER_CHUNK * (2 + 4 + PAYLOAD)];
        int at = 0;
        for (int i = 0; i < PINGS_PER_CHUNK; i++) {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            byte[] head = WebSocketFrames.head(WebSocketFrames.PING, PAYLOAD, mask);
            System.arraycopy(head, 0, chunk, at, head.length);
            at += head.length;
            for (int j = 0; j < PAYLOAD; j++) {
                chunk[at++] = (byte) ('p' ^ mask[j % 4]);
            }
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public byte[] next() {
                return chunk;
            }
        };
    }
}
