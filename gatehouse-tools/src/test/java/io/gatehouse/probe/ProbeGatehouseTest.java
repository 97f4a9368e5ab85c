package io.gatehouse.probe;

import static io.gatehouse.probe.ProbeRun.probe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.TestGatehouse;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code gatehouse probe} against a real Gatehouse: every scenario is safe. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbeGatehouseTest {
    /** A short auth.timeout, so the no-credential row closes 4408 well within --wait. */
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse().with("auth.timeout", "300ms");

    /**
     * How long a socket that must be refused may stay open: far beyond the 300 ms auth.timeout, so
     * a loaded machine cannot turn a late refusal into an acceptance. It costs nothing when all is
     * well: Gatehouse refuses the others at once, and an accepted socket ends at its first message.
     */
    static final String WAIT = "5s";

    @BeforeAll
    static void users() {
        server.user("alice", "alice-password", false);
    }

    @Test
    void everyScenarioIsSafeWithEveryInputIncludingTheCookieSession() {
        BrowserSession session = BrowserSession.login(server, "alice", "alice-password");

        ProbeRun run = probe(
                server.ws().toString(),
                "--token",
                server.opaqueToken("bob"),
                "--secret",
                TestGatehouse.SECRET,
                "--cookie",
                session.cookieHeader(),
                "--csrf",
                session.csrf(),
                "--wait",
                WAIT,
                "--json");

        assertThat(run.exit()).as(run.toString()).isZero();
        for (Scenario s : Scenario.values()) {
            assertThat(run.verdict(s)).as(s + " in " + run).isEqualTo("SAFE");
        }
        assertThat(run.json().path("summary").path("safe").asInt()).isEqualTo(Scenario.values().length);
        assertClosed(run.row(Scenario.NO_CREDENTIAL), 4408, "AUTH_TIMEOUT");
        assertClosed(run.row(Scenario.GARBAGE_TOKEN), 4401, "TOKEN_INVALID");
        assertClosed(run.row(Scenario.EXPIRED_TOKEN), 4401, "TOKEN_EXPIRED");
        assertClosed(run.row(Scenario.COOKIE_WITHOUT_CSRF), 4403, "CSRF_TOKEN_MISSING");
        for (Scenario s : new Scenario[] {
            Scenario.TOKEN_IN_HEADER, Scenario.TOKEN_IN_SUBPROTOCOL, Scenario.TOKEN_IN_QUERY, Scenario.COOKIE
        }) {
            assertThat(run.row(s).path("observed").asText()).as(s.toString()).contains("connection_established");
        }
        for (Scenario s : new Scenario[] {Scenario.FOREIGN_ORIGIN, Scenario.FOREIGN_ORIGIN_WITH_COOKIE}) {
            assertThat(run.row(s).path("http_status").asInt()).as(s.toString()).isEqualTo(403);
            assertThat(run.row(s).path("http_code").asText()).isEqualTo("ORIGIN_NOT_ALLOWED");
        }
    }

    @Test
    void theSecretMintsTheValidAndTheExpiredTokenAndTheTableSaysSo() {
        ProbeRun run = probe(server.ws().toString(), "--secret", TestGatehouse.SECRET, "--wait", WAIT);

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .containsPattern("expired token\\s+close 4xxx/1008 \\+ reason\\s+close 4401 TOKEN_EXPIRED\\s+SAFE");
        assertThat(run.out())
                .containsPattern(
                        "valid token, Authorization header\\s+accept\\s+upgraded, 1 message: \\{\"type\":\"connection_est.*SAFE");
        assertThat(run.out())
                .containsPattern("no credential\\s+close 4xxx/1008 \\+ reason\\s+close 4408 AUTH_TIMEOUT\\s+SAFE");
        assertThat(run.out())
                .containsPattern(
                        "foreign Origin, cookie\\s+HTTP 403, or a close\\s+skipped \\(give --cookie\\)\\s+SKIPPED");
        assertThat(run.out())
                .contains(
                        "10 scenarios: 7 safe, 0 unsafe, 0 unreadable, 0 warn, 0 not supported, 3 skipped",
                        "every scenario that ran behaved safely");
        assertThat(run.out()).doesNotContain("note: no valid credential was accepted");
    }

    @Test
    void withoutInputsTheScenariosThatNeedThemAreSkippedAndDoNotFail() {
        ProbeRun run = probe(server.ws().toString(), "--wait", WAIT);

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out())
                .containsPattern(
                        "valid token, \\?token=\\s+accept\\s+skipped \\(give --token or --secret\\)\\s+SKIPPED");
        assertThat(run.out())
                .contains("skipped (give --expired-token or --secret)", "skipped (give --cookie and --csrf)");
        assertThat(run.out())
                .contains(
                        "10 scenarios: 3 safe, 0 unsafe, 0 unreadable, 0 warn, 0 not supported, 7 skipped",
                        "note: no valid credential was accepted");
    }

    @Test
    void aCarrierTurnedOffIsNotSupportedNotAFailure() {
        try (TestGatehouse noQueryTokens = new TestGatehouse()
                .with("auth.timeout", "300ms")
                .with("auth.allow_query_token", false)
                .start()) {
            ProbeRun run = probe(
                    noQueryTokens.ws().toString(),
                    "--token",
                    noQueryTokens.opaqueToken("bob"),
                    "--wait",
                    WAIT,
                    "--json");

            assertThat(run.exit()).as(run.toString()).isZero();
            assertThat(run.row(Scenario.TOKEN_IN_QUERY).path("observed").asText())
                    .isEqualTo("close 4401 TOKEN_INVALID");
            assertThat(run.row(Scenario.TOKEN_IN_QUERY).path("why").asText())
                    .isEqualTo("the same token was accepted by the Authorization header and the subprotocol: this"
                            + " server does not take a token by ?token=");
            assertThat(run.verdict(Scenario.TOKEN_IN_QUERY)).isEqualTo("NOT_SUPPORTED");
            assertThat(run.json().path("summary").path("not_supported").asInt()).isEqualTo(1);
            // Every row says what it looks at, for pipelines that gate on a part.
            assertThat(run.row(Scenario.TOKEN_IN_QUERY).path("category").asText())
                    .isEqualTo("auth");
            assertThat(run.row(Scenario.FOREIGN_ORIGIN).path("category").asText())
                    .isEqualTo("origin");
            assertThat(run.json().path("scenarios"))
                    .allSatisfy(row -> assertThat(row.path("category").asText()).isIn("auth", "origin"));
            assertThat(run.verdict(Scenario.TOKEN_IN_HEADER)).isEqualTo("SAFE");
        }
    }

    @Test
    void aRateLimitingGatehouseIsWaitedOutRatherThanMisjudged() {
        // Refused upgrades spend the bucket (an accepted one gives its token back). The probe's
        // first three upgrades are refused (no credential, garbage, expired) and spend the burst of
        // 3; the next token takes 4 s to come, so the fourth upgrade meets a 429 unless the first
        // four took over 4 s (about 0.4 s normally), and the probe must wait it out. With 5/s and a
        // burst of 2, the 429 depended on two upgrades taking under 100 ms in all, which a loaded
        // machine does not promise.
        try (TestGatehouse limited = new TestGatehouse()
                .with("auth.timeout", "300ms")
                .with("limits.upgrades_per_ip", Map.of("rate", 0.25, "burst", 3))
                .start()) {
            long start = System.nanoTime();
            ProbeRun run = probe(limited.ws().toString(), "--secret", TestGatehouse.SECRET, "--wait", WAIT, "--json");
            System.out.println("the probe took " + (System.nanoTime() - start) / 1_000_000 + " ms");

            assertThat(run.exit()).as(run.toString()).isZero();
            for (JsonNode row : run.json().path("scenarios")) {
                assertThat(row.path("verdict").asText()).as(row.toString()).isIn("SAFE", "SKIPPED");
                assertThat(row.path("http_status").asInt()).as(row.toString()).isNotEqualTo(429);
            }
            assertThat(limited.get("/metrics").raw().body())
                    .as("the probe was rate limited on the way")
                    .containsPattern("gatehouse_limited_total\\{limit=\"upgrades_per_ip\",?\\} [1-9]");
        }
    }

    private static void assertClosed(JsonNode row, int code, String reason) {
        assertThat(row.path("close_code").asInt()).as(row.toString()).isEqualTo(code);
        assertThat(row.path("close_reason").asText()).as(row.toString()).isEqualTo(reason);
    }
}
