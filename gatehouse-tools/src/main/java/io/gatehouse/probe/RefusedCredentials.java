package io.gatehouse.probe;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sends {@link AbuseLimits#refusals} garbage tokens in a row from one address, as a guesser would:
 * a safe server starts refusing with HTTP 429 or close 4429 (rate limited) before the end.
 */
final class RefusedCredentials {
    private RefusedCredentials() {}

    /**
     * @param garbage the garbage-token row: its refusal is what is repeated
     */
    static ScenarioResult run(
            ProbeClient client, ProbeOptions options, AbuseLimits limits, ScenarioResult garbage, Clock clock) {
        if (!(garbage.outcome() instanceof Outcome.Closed || garbage.outcome() instanceof Outcome.Refused)) {
            return ScenarioResult.skipped(
                    AbuseScenario.REFUSED_CREDENTIALS, "the garbage token was not refused (see its row)");
        }
        long start = System.nanoTime();
        int answered = 0;
        Outcome last = (Outcome) garbage.outcome();
        while (answered < limits.refusals()) {
            if (ProbeClient.since(start).compareTo(limits.refusalsFor()) >= 0) {
                break;
            }
            Attempt attempt = Scenario.GARBAGE_TOKEN.attempt(options, clock.instant());
            Outcome outcome;
            try {
                outcome = client.sendOnce(attempt);
            } catch (ProbeException e) {
                return result(
                        answered,
                        start,
                        "no connection after " + answered + " refusals",
                        Verdict.safe("stopped taking connections after " + answered + " refusals: " + e.getMessage()));
            }
            if (limited(outcome)) {
                return result(
                        answered,
                        start,
                        outcome.describe() + " after " + answered + " refusals",
                        Verdict.safe("rate-limited refused credentials after " + answered));
            }
            if (outcome instanceof Outcome.NoAnswer) {
                return result(
                        answered,
                        start,
                        outcome.describe() + " after " + answered + " refusals",
                        Verdict.safe("stopped answering after " + answered + " refusals"));
            }
            if (outcome instanceof Outcome.StillOpen) {
                return result(
                        answered,
                        start,
                        outcome.describe() + " after " + answered + " refusals",
                        Verdict.unsafe("accepted a garbage token after refusing " + answered
                                + ": a server must refuse every one"));
            }
            last = outcome;
            answered++;
        }
        String fix = "count refusals per IP and answer HTTP 429 (or close 4429) past a few (Gatehouse:"
                + " limits.auth_failures_per_ip)";
        if (answered < limits.refusals()) {
            String took = Measured.seconds(ProbeClient.since(start));
            return result(
                    answered,
                    start,
                    "answered " + answered + " in " + took + ", the last " + last.describe(),
                    Verdict.warn("answered " + answered + " refused credentials in " + took + " and never answered 429:"
                            + " slow refusals hold a guesser back one connection at a time, and many connections at once"
                            + " guess as fast as ever; " + fix));
        }
        return result(
                answered,
                start,
                "answered all " + answered + ", the last " + last.describe(),
                Verdict.warn("answered " + answered + " refused credentials in a row from one address without slowing"
                        + " down: a guesser can try tokens, session ids or API keys at wire speed; " + fix));
    }

    /** HTTP 429 before the upgrade, or close 4429 (or 1013, try again later) after it. */
    private static boolean limited(Outcome outcome) {
        return (outcome instanceof Outcome.Refused refused && refused.status() == 429)
                || (outcome instanceof Outcome.Closed closed && (closed.code() == 4429 || closed.code() == 1013));
    }

    private static ScenarioResult result(int answered, long start, String observed, Verdict verdict) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("refusals_answered", answered);
        facts.put("after_ms", ProbeClient.since(start).toMillis());
        return new ScenarioResult(AbuseScenario.REFUSED_CREDENTIALS, new Measured(observed, facts), verdict);
    }
}
