package io.gatehouse.probe;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs every {@link Scenario} against one server, one connection at a time, and judges each; then,
 * when asked, the {@link AbuseScenario}s.
 */
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
        // The valid-token carriers are judged together, once each has run: a refusal by one is a
        // failure only if no other took the same token.
        List<ScenarioResult> carriers = new ArrayList<>();
        for (Scenario scenario : Scenario.values()) {
            String missing = scenario.missing(options);
            ScenarioResult result;
            if (missing != null) {
                result = ScenarioResult.skipped(scenario, missing);
            } else {
                Outcome outcome = client.send(scenario.attempt(options, clock.instant()));
                result = new ScenarioResult(scenario, outcome, scenario.rule().judge(outcome));
            }
            if (!scenario.carriesValidToken()) {
                report(List.of(result), results, done);
                continue;
            }
            carriers.add(result);
            Scenario[] all = Scenario.values();
            boolean lastCarrier =
                    scenario.ordinal() + 1 == all.length || !all[scenario.ordinal() + 1].carriesValidToken();
            if (lastCarrier) { // reported before the next upgrade, which may fail the run
                report(CarrierSupport.judge(carriers), results, done);
                carriers.clear();
            }
        }
        if (options.abuse() != null) {
            AbuseProbe.run(
                    client,
                    clock,
                    options,
                    options.abuse(),
                    List.copyOf(results),
                    r -> report(List.of(r), results, done));
        }
        return new ProbeReport(options.url(), results);
    }

    private static void report(List<ScenarioResult> some, List<ScenarioResult> results, Consumer<ScenarioResult> done) {
        for (ScenarioResult r : some) {
            results.add(r);
            done.accept(r);
        }
    }
}
