package io.gatehouse.probe;

import java.util.Objects;

/**
 * One row of the report.
 *
 * @param outcome what the server did; null when the check was skipped
 */
public record ScenarioResult(Check check, Observation outcome, Verdict verdict) {

    public ScenarioResult {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(verdict, "verdict");
        if ((outcome == null) != (verdict.kind() == Verdict.Kind.SKIPPED)) {
            throw new IllegalArgumentException("a skipped check has no outcome, and only a skipped one");
        }
    }

    /** The "this server" column: what it did, or why the scenario did not run. */
    public String observed() {
        return outcome == null ? "skipped (" + verdict.why() + ")" : outcome.describe();
    }

    static ScenarioResult skipped(Check check, String why) {
        return new ScenarioResult(check, null, Verdict.skipped(why));
    }
}
