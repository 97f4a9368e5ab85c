package io.gatehouse.probe;

import static io.gatehouse.probe.ProbeRun.probe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.probe.NaiveServer.Reaction;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code gatehouse probe --abuse}: Gatehouse holds under every scenario (a WARN only for the query
 * token its default takes), and deliberately weak servers are flagged on each.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProbeAbuseTest {
    private static final String GOOD = "good-token";
    private static final String SECRET = "a-secret-this-server-never-checks-at-all";

    /**
     * The weak servers' bounds, smaller than {@link AbuseLimits#DEFAULT} so that a server which
     * never closes a silent socket costs 2 s, not 65; the verdicts turn on the same comparisons.
     */
    static final AbuseLimits SMALL = new AbuseLimits(
            Duration.ofSeconds(5),
            8L * 1024 * 1024,
            // Generous: the weak servers share the test's JVM, whose pauses must not look like a stall.
            Duration.ofSeconds(2),
            1024 * 1024,
            300,
            1_000,
            50,
            Duration.ofSeconds(20),
            Duration.ofSeconds(1),
            Duration.ofSeconds(4));

    @Test
    void gatehouseWithItsDefaultsHoldsUnderEveryAbuseScenario() {
        // TestGatehouse lifts the per-IP limits for other tests; these are the documented defaults.
        try (TestGatehouse gatehouse = new TestGatehouse()
                .with("limits.upgrades_per_ip", Map.of("rate", 10, "burst", 20))
                .with("limits.auth_failures_per_ip", Map.of("rate", 0.2, "burst", 20))
                .start()) {
            long start = System.nanoTime();
            ProbeRun run = probe(gatehouse.ws().toString(), "--secret", TestGatehouse.SECRET, "--abuse", "--json");
            System.out.println("probe --abuse took " + (System.nanoTime() - start) / 1_000_000 + " ms:\n" + run);

            assertThat(run.exit()).as(run.toString()).isZero();
            for (JsonNode row : run.json().path("scenarios")) {
                assertThat(row.path("verdict").asText()).as(row.toString()).isIn("SAFE", "SKIPPED", "WARN");
            }
            assertThat(verdicts(run))
                    .containsEntry("query_token", "WARN")
                    .containsEntry("ping_flood", "SAFE")
                    .containsEntry("oversized_message", "SAFE")
                    .containsEntry("subscriptions", "SAFE")
                    .containsEntry("refused_credentials", "SAFE")
                    .containsEntry("silent_connection", "SAFE")
                    .containsEntry("half_sent_header", "SAFE");
            assertThat(row(run, "query_token").path("why").asText()).contains("auth.allow_query_token: false");
            assertThat(row(run, "ping_flood").path("observed").asText()).startsWith("cut after");
            assertThat(row(run, "ping_flood").path("bytes_accepted").asLong()).isLessThan(16L * 1024 * 1024);
            assertThat(row(run, "oversized_message").path("close_code").asInt()).isEqualTo(1009);
            assertThat(row(run, "subscriptions").path("observed").asText())
                    .isEqualTo("capped after 255 subscriptions: TOO_MANY_SUBSCRIPTIONS");
            assertThat(row(run, "refused_credentials").path("observed").asText())
                    .contains("HTTP 429 RATE_LIMITED");
            for (String held : new String[] {"silent_connection", "half_sent_header"}) {
                // server.request_timeout, 10 s: closed without an answer.
                assertThat(row(run, held).path("after_ms").asLong()).as(held).isBetween(9_000L, 20_000L);
                assertThat(row(run, held).path("category").asText()).isEqualTo("transport");
            }
            assertThat(row(run, "ping_flood").path("category").asText()).isEqualTo("abuse");
            assertThat(row(run, "query_token").path("category").asText()).isEqualTo("auth");
            // docs/probe.md shows this run's summary.
            assertThat(run.json().path("summary").path("warn").asInt()).isEqualTo(1);
            assertThat(run.json().path("summary").path("safe").asInt()).isEqualTo(13);
            assertThat(run.json().path("summary").path("skipped").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aServerWithNoBoundsIsFlaggedOnEveryAbuseScenario() throws ProbeException {
        try (NaiveServer weak = NaiveServer.start(request -> request.carries(GOOD)
                ? Reaction.UNBOUNDED
                : request.headers().containsKey("authorization") ? Reaction.CLOSE_4401 : Reaction.UNBOUNDED)) {
            ProbeReport report = probeInProcess(weak, SMALL);
            Map<String, ScenarioResult> rows = rows(report);

            assertThat(report.exitStatus()).isEqualTo(ProbeReport.EXIT_NOT_SAFE);
            assertThat(kind(rows, AbuseScenario.QUERY_TOKEN)).isEqualTo(Verdict.Kind.WARN);
            assertThat(kind(rows, AbuseScenario.PING_FLOOD)).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("ping_flood").observed()).matches("read all 8\\.0 MiB in \\d+\\.\\d s, pongs unread");
            assertThat(kind(rows, AbuseScenario.OVERSIZED_MESSAGE)).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("oversized_message").observed()).startsWith("accepted all 1.0 MiB, still open after");
            assertThat(kind(rows, AbuseScenario.SUBSCRIPTIONS)).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("subscriptions").observed()).isEqualTo("all 300 subscribed");
            assertThat(kind(rows, AbuseScenario.REFUSED_CREDENTIALS)).isEqualTo(Verdict.Kind.WARN);
            assertThat(rows.get("refused_credentials").observed())
                    .isEqualTo("answered all 50, the last close 4401 TOKEN_INVALID");
            assertThat(kind(rows, AbuseScenario.SILENT_CONNECTION)).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(kind(rows, AbuseScenario.HALF_SENT_HEADER)).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("half_sent_header").observed()).startsWith("still open after");
            assertThat((Long) rows.get("half_sent_header").outcome().facts().get("after_ms"))
                    .isGreaterThanOrEqualTo(SMALL.giveUp().toMillis());
            assertThat(report.summary()).anyMatch(l -> l.contains("take what a safe server bounds"));
        }
    }

    @Test
    void aServerThatStopsReadingIsSafeAndOneClosingSlowlyGetsAWarn() throws ProbeException {
        // Closes silent sockets after 2 s: past slowClose (1 s), well before giveUp (4 s).
        try (NaiveServer slow =
                NaiveServer.start(request -> Reaction.STOP_READING).withRequestTimeout(2_000)) {
            Map<String, ScenarioResult> rows = rows(probeInProcess(slow, SMALL));

            assertThat(kind(rows, AbuseScenario.PING_FLOOD)).isEqualTo(Verdict.Kind.SAFE);
            assertThat(rows.get("ping_flood").observed()).startsWith("stopped reading after");
            assertThat(kind(rows, AbuseScenario.SILENT_CONNECTION)).isEqualTo(Verdict.Kind.WARN);
            assertThat(rows.get("silent_connection").observed()).startsWith("closed after");
            // Signed in, it stops reading the 1 MiB message: not taken, and the probe does not hang on it.
            assertThat(kind(rows, AbuseScenario.OVERSIZED_MESSAGE)).isEqualTo(Verdict.Kind.SAFE);
            assertThat(rows.get("oversized_message").observed()).matches("stopped reading after \\d+ KiB of 1\\.0 MiB");
            assertThat(kind(rows, AbuseScenario.HALF_SENT_HEADER)).isEqualTo(Verdict.Kind.WARN);
            // Not Gatehouse's protocol: no connection_established greeting.
            assertThat(kind(rows, AbuseScenario.SUBSCRIPTIONS)).isEqualTo(Verdict.Kind.SKIPPED);
            assertThat(rows.get("subscriptions").verdict().why()).contains("not Gatehouse's protocol");
        }
    }

    @Test
    void theHeldConnectionsTurnAtThirtyAndSixtyFiveSeconds() {
        AbuseLimits d = AbuseLimits.DEFAULT;
        AbuseScenario silent = AbuseScenario.SILENT_CONNECTION;
        assertThat(HeldConnection.judge(silent, "closed", Duration.ofSeconds(30), 0, d)
                        .verdict()
                        .kind())
                .isEqualTo(Verdict.Kind.SAFE);
        assertThat(HeldConnection.judge(silent, "closed", Duration.ofMillis(30_100), 0, d)
                        .verdict()
                        .kind())
                .isEqualTo(Verdict.Kind.WARN);
        ScenarioResult never = HeldConnection.judge(silent, null, Duration.ofSeconds(65), 0, d);
        assertThat(never.verdict().kind()).isEqualTo(Verdict.Kind.UNSAFE);
        assertThat(never.verdict().why()).contains("for over 65.0 s", "server.request_timeout");
        assertThat(d.floodFor()).isEqualTo(Duration.ofSeconds(5));
        assertThat(d.oversizedBytes()).isEqualTo(1024 * 1024);
        assertThat(d.subscriptions()).isEqualTo(1_000);
        assertThat(d.refusals()).isEqualTo(50);
    }

    @Test
    void aFloodStillReadAtTheEndBelowTheCapIsAWarnAndACutMessageIsSafe() {
        AbuseLimits d = AbuseLimits.DEFAULT;
        ScenarioResult slowLink = PingFlood.judge(
                new BoundedWrite.Result(BoundedWrite.End.OUT_OF_TIME, 3L * 1024 * 1024, Duration.ofSeconds(5)), "", d);
        assertThat(slowLink.verdict().kind()).isEqualTo(Verdict.Kind.WARN);
        assertThat(slowLink.observed()).isEqualTo("still reading after 3.0 MiB in 5.0 s");
        assertThat(slowLink.outcome().facts()).containsEntry("ended", "out_of_time");

        ScenarioResult cut = OversizedMessage.judge(
                new BoundedWrite.Result(BoundedWrite.End.CUT, 200 * 1024, Duration.ofMillis(40)),
                new Outcome.Dropped(Duration.ofMillis(50), Outcome.Received.NOTHING),
                d);
        assertThat(cut.verdict().kind()).isEqualTo(Verdict.Kind.SAFE);
        assertThat(cut.observed()).isEqualTo("cut after 200 KiB of 1.0 MiB");
        assertThat(cut.verdict().why()).contains("1009");
    }

    @Test
    void abuseRunsOnlyAgainstLoopbackOrAHostNamedAgain() {
        ProbeRun remote = probe("ws://gatehouse.example.invalid/ws", "--abuse");
        assertThat(remote.exit()).isEqualTo(2);
        assertThat(remote.err())
                .contains("--abuse floods and holds connections: it runs against loopback only, unless you name"
                        + " the host: --abuse-host gatehouse.example.invalid");

        ProbeRun other = probe("ws://gatehouse.example.invalid/ws", "--abuse", "--abuse-host", "other.invalid");
        assertThat(other.exit()).isEqualTo(2);
        assertThat(other.err()).contains("--abuse-host other.invalid is not the URL's host, gatehouse.example.invalid");

        ProbeRun alone = probe("ws://127.0.0.1:1/ws", "--abuse-host", "127.0.0.1");
        assertThat(alone.exit()).isEqualTo(2);
        assertThat(alone.err()).contains("--abuse-host goes with --abuse");
    }

    /** The probe with abuse scenarios bounded by {@code limits}, in-process (the CLI has only the defaults). */
    private static ProbeReport probeInProcess(NaiveServer server, AbuseLimits limits) throws ProbeException {
        return probeInProcess(new ProbeClient(), server.ws(), GOOD, limits);
    }

    /** {@code url} probed by {@code client}, with {@code token} as the valid one. */
    static ProbeReport probeInProcess(ProbeClient client, URI url, String token, AbuseLimits limits)
            throws ProbeException {
        ProbeOptions options = new ProbeOptions(
                url,
                token,
                ProbeTokens.expired(SECRET, Instant.now()),
                "https://probe.invalid",
                ProbeOptions.ownOriginOf(url),
                null,
                null,
                Duration.ofMillis(300),
                limits);
        return new Probe(client, Clock.systemUTC()).run(options, r -> {});
    }

    static Map<String, ScenarioResult> rows(ProbeReport report) {
        System.out.println(report.table());
        return report.results().stream().collect(Collectors.toMap(r -> r.check().id(), r -> r));
    }

    private static Verdict.Kind kind(Map<String, ScenarioResult> rows, AbuseScenario scenario) {
        return rows.get(scenario.id()).verdict().kind();
    }

    private static Map<String, String> verdicts(ProbeRun run) {
        Map<String, String> verdicts = new java.util.LinkedHashMap<>();
        run.json()
                .path("scenarios")
                .forEach(r ->
                        verdicts.put(r.path("id").asText(), r.path("verdict").asText()));
        return verdicts;
    }

    private static JsonNode row(ProbeRun run, String id) {
        for (JsonNode row : run.json().path("scenarios")) {
            if (row.path("id").asText().equals(id)) {
                return row;
            }
        }
        throw new AssertionError("no row " + id + " in " + run);
    }
}
