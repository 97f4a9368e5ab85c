package io.gatehouse.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Signs in and asks for {@link AbuseLimits#subscriptions} channels on one connection, paced under
 * the message rate limit and one at a time: a safe server caps them (Gatehouse answers
 * {@code TOO_MANY_SUBSCRIPTIONS} past {@code limits.subscriptions_per_connection}). Only for servers
 * that speak Gatehouse's protocol (they greet with {@code connection_established}).
 */
final class SubscriptionFlood {
    /** How long one subscribe may wait for its answer. */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private SubscriptionFlood() {}

    /** On a signed-in session; {@code greeting} is its first message, or null. */
    static ScenarioResult run(ProbeSession session, String greeting, AbuseLimits limits) {
        if (!"connection_established".equals(type(greeting))) {
            return ScenarioResult.skipped(
                    AbuseScenario.SUBSCRIPTIONS, "not Gatehouse's protocol, which greets with connection_established");
        }
        return subscribe(session, limits);
    }

    private static ScenarioResult subscribe(ProbeSession session, AbuseLimits limits) {
        String prefix = "probe-"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + "-";
        long interval = Duration.ofSeconds(1).toNanos() / limits.subscribesPerSecond();
        long start = System.nanoTime();
        // The pace's time and one answer's wait, in all: a server answering slowly does not stretch it.
        long deadline = start + limits.subscriptions() * interval + ANSWER_WAIT.toNanos();
        int subscribed = 0;
        Outcome end = null;
        for (int i = 1; i <= limits.subscriptions(); i++) {
            pace(start + (i - 1) * interval);
            String id = "probe-" + i;
            session.send("{\"type\":\"subscribe\",\"id\":\"" + id + "\",\"channel\":\"" + prefix + i + "\"}");
            ProbeSession.Incoming in =
                    answerTo(session, id, Math.min(deadline, System.nanoTime() + ANSWER_WAIT.toNanos()));
            if (in.end() != null) {
                end = in.end(); // the connection ended, or no answer came: judged below
                break;
            }
            JsonNode answer = parse(in.message());
            if (!"subscribed".equals(answer.path("type").asText())) {
                String code = answer.path("code").asText(answer.path("type").asText());
                if (subscribed == 0) {
                    return ScenarioResult.skipped(
                            AbuseScenario.SUBSCRIPTIONS, "the first subscribe was refused: " + code);
                }
                return result(
                        subscribed,
                        "capped after " + subscribed + " subscriptions: " + code,
                        Verdict.safe("refused subscriptions past " + subscribed + " on one connection"));
            }
            subscribed++;
        }
        if (subscribed == limits.subscriptions()) {
            return result(
                    subscribed,
                    "all " + subscribed + " subscribed",
                    Verdict.unsafe("let one connection hold " + subscribed + " subscriptions: each costs memory"
                            + " and fan-out work; cap them per connection (Gatehouse:"
                            + " limits.subscriptions_per_connection, 256)"));
        }
        String observed = (end instanceof Outcome.StillOpen
                        ? (System.nanoTime() >= deadline
                                ? "out of time (" + Measured.seconds(ProbeClient.since(start)) + ")"
                                : "no answer to a subscribe")
                        : end.describe())
                + " after "
                + subscribed + " subscriptions";
        if (end instanceof Outcome.Closed closed && closed.code() != 4429 && closed.code() != 1013) {
            return result(
                    subscribed, observed, Verdict.safe("closed the connection past " + subscribed + " subscriptions"));
        }
        return result(
                subscribed,
                observed,
                Verdict.warn("stopped before " + limits.subscriptions() + " (rate limited, silent or slow), so whether"
                        + " subscriptions are capped is not known; the probe paced them at "
                        + limits.subscribesPerSecond() + " a second"));
    }

    /**
     * The answer carrying {@code id}, or an error without one; else how the connection ended, or
     * {@link Outcome.StillOpen} when no answer came by {@code deadline} ({@link System#nanoTime()}).
     * Other messages are skipped.
     */
    private static ProbeSession.Incoming answerTo(ProbeSession session, String id, long deadline) {
        while (true) {
            ProbeSession.Incoming in = session.next(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            if (in.end() != null) {
                return in;
            }
            JsonNode answer = parse(in.message());
            if (id.equals(answer.path("id").asText())
                    || ("error".equals(answer.path("type").asText()) && !answer.has("id"))) {
                return in;
            }
        }
    }

    private static ScenarioResult result(int subscribed, String observed, Verdict verdict) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("subscriptions", subscribed);
        return new ScenarioResult(AbuseScenario.SUBSCRIPTIONS, new Measured(observed, facts), verdict);
    }

    private static String type(String message) {
        return message == null ? null : parse(message).path("type").asText(null);
    }

    private static JsonNode parse(String message) {
        try {
            return JSON.readTree(message);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private static void pace(long at) {
        long wait = at - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
