package io.gatehouse.probe;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** Runs every {@link Scenario} against one server, one connection at a time, and judges each. */
public record Probe(ProbeClient client, Clock clock) {
    /**
     * Runs the matrix in order. One at a time, so that the server's per-IP limits and duplicate
     * session rules see what one careful client would do.
     *
     * @param done told of each result as soon as it is judged, for output while the probe runs
     * @throws ProbeException when the server cannot be reached; no report then
     */
    public ProbeReport run(ProbeOptions options, Consumer<ScenarioResult> done) throws ProbeException {
        List<ScenarioResult> results = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            String missing = scenario.missing(options);
            ScenarioResult result;
            if (missing != null) {
                result = new ScenarioResult(scenario, null, Verdict.skipped(missing));
            } else {
                Outcome outcome = client.send(scenario.attempt(options, clock.instant()));
                result = new ScenarioResult(scenario, outcome, scenario.rule().judge(outcome));
            }
            results.add(result);
            done.accept(result);
        }
        return new ProbeReport(options.url(), results);
    }
}
