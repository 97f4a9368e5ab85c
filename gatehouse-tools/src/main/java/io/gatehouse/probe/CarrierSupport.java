package io.gatehouse.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Which ways of sending a valid token (the {@code Authorization} header, the subprotocol, the
 * query) a server takes. A server need not take all three: once one of them carried the token in,
 * a refusal by another, readable or not, means "not supported", a note rather than a failure. When
 * none did, each row keeps its own verdict, so that a server refusing every credential unreadably
 * is still flagged.
 */
final class CarrierSupport {
    private CarrierSupport() {}

    /** {@code carriers}' results, judged together; the same list when none was accepted. */
    static List<ScenarioResult> judge(List<ScenarioResult> carriers) {
        List<String> accepting = carriers.stream()
                .filter(r -> r.outcome() instanceof Outcome.StillOpen)
                .map(r -> carrier(r.scenario()))
                .collect(Collectors.toList());
        if (accepting.isEmpty()) {
            return List.copyOf(carriers);
        }
        List<ScenarioResult> judged = new ArrayList<>(carriers.size());
        for (ScenarioResult r : carriers) {
            if (r.outcome() == null || r.outcome() instanceof Outcome.StillOpen) {
                judged.add(r);
            } else {
                judged.add(new ScenarioResult(
                        r.scenario(),
                        r.outcome(),
                        Verdict.notSupported("the same token was accepted by " + String.join(" and ", accepting)
                                + ": this server does not take a token by " + carrier(r.scenario()))));
            }
        }
        return judged;
    }

    /** The carrier a valid-token scenario uses, as the notes name it. */
    static String carrier(Scenario s) {
        return switch (s) {
            case TOKEN_IN_HEADER -> "the Authorization header";
            case TOKEN_IN_SUBPROTOCOL -> "the subprotocol";
            case TOKEN_IN_QUERY -> "?token=";
            default -> throw new IllegalArgumentException(s + " carries no valid token");
        };
    }
}
