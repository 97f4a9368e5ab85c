package io.gatehouse.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which ways of sending a valid token (the {@code Authorization} header, the subprotocol, the
 * query) a server takes. A server need not take all three: once one of them carried the token in,
 * a deliberate refusal by another (a close frame, or an HTTP answer below 500), readable or not,
 * means "not supported", a note rather than a failure. When none did, or the server dropped the
 * connection, gave no answer or a 5xx, each row keeps its own verdict, so that a server refusing
 * every credential unreadably, or failing on one carrier, is still flagged.
 */
final class CarrierSupport {
    private CarrierSupport() {}

    /** {@code carriers}' results, judged together; the same list when none was accepted. */
    static List<ScenarioResult> judge(List<ScenarioResult> carriers) {
        List<String> accepting = carriers.stream()
                .filter(r -> r.outcome() instanceof Outcome.StillOpen)
                .map(r -> carrier(r.check()))
                .collect(Collectors.toList());
        if (accepting.isEmpty()) {
            return List.copyOf(carriers);
        }
        List<ScenarioResult> judged = new ArrayList<>(carriers.size());
        for (ScenarioResult r : carriers) {
            if (!deliberate(r.outcome())) {
                judged.add(r);
            } else {
                judged.add(new ScenarioResult(
                        r.check(),
                        r.outcome(),
                        Verdict.notSupported("the same token was accepted by " + String.join(" and ", accepting)
                                + ": this server does not take a token by " + carrier(r.check()))));
            }
        }
        return judged;
    }

    /**
     * A refusal the server gave on purpose: a close frame, or an HTTP answer below 500. A dropped
     * connection, no answer or a 5xx may be the server failing on that carrier, and keeps its verdict.
     */
    private static boolean deliberate(Observation outcome) {
        return outcome instanceof Outcome.Closed
                || (outcome instanceof Outcome.Refused refused && refused.status() < 500);
    }

    /** The carrier a valid-token scenario uses, as the notes name it. */
    static String carrier(Check check) {
        if (!(check instanceof Scenario s)) {
            throw new IllegalArgumentException(check.id() + " carries no valid token");
        }
        return switch (s) {
            case TOKEN_IN_HEADER -> "the Authorization header";
            case TOKEN_IN_SUBPROTOCOL -> "the subprotocol";
            case TOKEN_IN_QUERY -> "?token=";
            default -> throw new IllegalArgumentException(s + " carries no valid token");
        };
    }
}
