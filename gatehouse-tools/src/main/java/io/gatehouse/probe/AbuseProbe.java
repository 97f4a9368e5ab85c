package io.gatehouse.probe;

import java.net.Socket;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;

/**
 * The abuse scenarios of {@code --abuse}, run after the matrix and judged with its results: the
 * query-token row is read off the matrix, the connection-holding rows run in the background from
 * the start (they may take {@link AbuseLimits#giveUp}), the others one after the other, the refused
 * credentials last because they may leave the probing address rate-limited.
 */
final class AbuseProbe {
    /** The rows whose accepted credential the signed-in scenarios reuse, in order of preference. */
    private static final List<Scenario> SIGN_INS =
            List.of(Scenario.TOKEN_IN_HEADER, Scenario.TOKEN_IN_SUBPROTOCOL, Scenario.TOKEN_IN_QUERY, Scenario.COOKIE);

    private AbuseProbe() {}

    static void run(
            ProbeClient client,
            Clock clock,
            ProbeOptions options,
            AbuseLimits limits,
            List<ScenarioResult> matrix,
            Consumer<ScenarioResult> done)
            throws ProbeException {
        // Closed when the run ends early (a ProbeException), so that no held socket outlives it.
        List<Socket> held = new CopyOnWriteArrayList<>();
        FutureTask<ScenarioResult> silent = background(
                () -> HeldConnection.run(client, options.url(), AbuseScenario.SILENT_CONNECTION, limits, held::add));
        FutureTask<ScenarioResult> half = background(
                () -> HeldConnection.run(client, options.url(), AbuseScenario.HALF_SENT_HEADER, limits, held::add));
        try {
            done.accept(queryToken(row(matrix, Scenario.TOKEN_IN_QUERY)));
            done.accept(PingFlood.run(client, options, limits));
            Optional<Scenario> signIn = SIGN_INS.stream()
                    .filter(s -> row(matrix, s).outcome() instanceof Outcome.StillOpen)
                    .findFirst();
            if (signIn.isPresent()) {
                Attempt signedIn = signIn.get().attempt(options, clock.instant());
                done.accept(signedIn(
                        client,
                        signedIn,
                        AbuseScenario.OVERSIZED_MESSAGE,
                        (session, greeting) -> OversizedMessage.run(session, limits)));
                done.accept(signedIn(
                        client,
                        signedIn,
                        AbuseScenario.SUBSCRIPTIONS,
                        (session, greeting) -> SubscriptionFlood.run(session, greeting, limits)));
            } else {
                String why = "needs a credential the server accepted: give --token or --secret (or --cookie)";
                done.accept(ScenarioResult.skipped(AbuseScenario.OVERSIZED_MESSAGE, why));
                done.accept(ScenarioResult.skipped(AbuseScenario.SUBSCRIPTIONS, why));
            }
            done.accept(RefusedCredentials.run(client, options, limits, row(matrix, Scenario.GARBAGE_TOKEN), clock));
            done.accept(result(silent));
            done.accept(result(half));
        } finally {
            held.forEach(ProbeClient::closeQuietly);
        }
    }

    /** A token in the query string, accepted: it works, but it ends up in logs. */
    static ScenarioResult queryToken(ScenarioResult query) {
        if (query.outcome() == null) {
            return ScenarioResult.skipped(
                    AbuseScenario.QUERY_TOKEN, query.verdict().why());
        }
        Verdict verdict = query.outcome() instanceof Outcome.StillOpen
                ? Verdict.warn("accepted a token in ?token=: URLs end up in proxy and server access logs and in"
                        + " browser history, where the token outlives the page; take it from the subprotocol, a"
                        + " cookie or a first message instead (Gatehouse: auth.allow_query_token: false)")
                : Verdict.safe("does not take a token from the query string");
        return new ScenarioResult(AbuseScenario.QUERY_TOKEN, query.outcome(), verdict);
    }

    private static ScenarioResult row(List<ScenarioResult> matrix, Scenario scenario) {
        return matrix.stream()
                .filter(r -> r.check() == scenario)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the matrix has no " + scenario + " row"));
    }

    /** A scenario on a signed-in session, given the session's first message (null when none came). */
    private interface OnSession {
        ScenarioResult run(ProbeSession session, String greeting);
    }

    /**
     * Signs in again with the credential the matrix saw accepted, reads the greeting (if one comes
     * within {@link Scenario#ACCEPT_WATCH}) and runs {@code scenario}; SKIPPED when the credential is
     * refused this time.
     */
    private static ScenarioResult signedIn(ProbeClient client, Attempt signIn, AbuseScenario scenario, OnSession run)
            throws ProbeException {
        ProbeClient.Opened opened = client.open(signIn);
        if (opened.session() == null) {
            return ScenarioResult.skipped(
                    scenario,
                    "the credential accepted before was refused this time: "
                            + opened.outcome().describe());
        }
        try (ProbeSession session = opened.session()) {
            return run.run(session, session.next(Scenario.ACCEPT_WATCH).message());
        }
    }

    private interface Run {
        ScenarioResult run() throws ProbeException;
    }

    private static FutureTask<ScenarioResult> background(Run run) {
        FutureTask<ScenarioResult> task = new FutureTask<>(run::run);
        Thread t = new Thread(task, "probe-held-connection");
        t.setDaemon(true);
        t.start();
        return task;
    }

    private static ScenarioResult result(FutureTask<ScenarioResult> task) throws ProbeException {
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProbeException("interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProbeException p) {
                throw p;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
