package io.gatehouse.probe;

import static io.gatehouse.probe.ProbeRun.probe;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.probe.NaiveServer.Reaction;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code gatehouse probe} against servers that get authentication wrong: each mistake is flagged, and the exit is 1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbeNaiveServerTest {
    private static final String GOOD = "good-token";
    /** Any 32 bytes: the naive server checks nothing, so the minted tokens only need to exist. */
    private static final String SECRET = "a-secret-this-server-never-checks-at-all";
    /**
     * For servers that refuse at once (badly): long enough that a loaded machine cannot make a
     * refusal late enough to be judged an acceptance (300 ms could). Their accepted upgrades greet
     * at once, so the probe does not watch those for the whole of it.
     */
    private static final String REFUSAL_WAIT = "5s";

    @Test
    void aServerThatAcceptsEveryUpgradeIsUnsafeOnEveryRowThatMustBeRefused() {
        try (NaiveServer naive = NaiveServer.acceptingEverything()) {
            ProbeRun run = probe(
                    naive.ws().toString(),
                    "--secret",
                    SECRET,
                    "--cookie",
                    "sid=1",
                    "--csrf",
                    "x",
                    "--wait",
                    "300ms",
                    "--json");

            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            for (Scenario s : new Scenario[] {
                Scenario.NO_CREDENTIAL,
                Scenario.GARBAGE_TOKEN,
                Scenario.EXPIRED_TOKEN,
                Scenario.FOREIGN_ORIGIN,
                Scenario.FOREIGN_ORIGIN_WITH_COOKIE,
                Scenario.COOKIE_WITHOUT_CSRF
            }) {
                assertThat(run.verdict(s)).as(s + " in " + run).isEqualTo("UNSAFE");
                // The time is the one measured: --wait (0.3 s) at least, more on a loaded machine.
                String why = run.row(s).path("why").asText();
                assertThat(why).matches("accepted: still open after \\d+\\.\\d s.*");
                assertThat(Double.parseDouble(why.replaceAll("^accepted: still open after (\\d+\\.\\d) s.*", "$1")))
                        .isGreaterThanOrEqualTo(0.3);
            }
            for (Scenario s : new Scenario[] {
                Scenario.TOKEN_IN_HEADER, Scenario.TOKEN_IN_SUBPROTOCOL, Scenario.TOKEN_IN_QUERY, Scenario.COOKIE
            }) {
                assertThat(run.verdict(s)).as(s + " in " + run).isEqualTo("SAFE");
            }
            assertThat(run.json().path("summary").path("unsafe").asInt()).isEqualTo(6);
            assertThat(run.json().path("exit_status").asInt()).isEqualTo(1);
        }
    }

    @Test
    void theTableExplainsEachUnsafeRowAndTheSummarySaysNotSafe() {
        try (NaiveServer naive = NaiveServer.acceptingEverything()) {
            ProbeRun run = probe(naive.ws().toString(), "--cookie", "sid=1", "--wait", "300ms");

            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            assertThat(run.out())
                    .containsPattern(
                            "no credential\\s+close 4xxx/1008 \\+ reason\\s+upgraded, still open, no message\\s+UNSAFE");
            // The time is the one measured: 0.3 s (--wait), more on a loaded machine.
            assertThat(run.out())
                    .containsPattern(
                            "    -> accepted: still open after \\d\\.\\d s; a safe server closes with 4401 \\(or 1008\\) and a reason");
            assertThat(run.out())
                    .containsPattern(
                            "    -> accepted: still open after \\d\\.\\d s from a foreign Origin; check Origin against an allow-list");
            assertThat(run.out()).contains("NOT SAFE: this server accepted 4 attempts a safe server refuses");
        }
    }

    @Test
    void aBareHttp401BeforeTheUpgradeIsARefusalTheClientCannotRead() {
        try (NaiveServer strict = NaiveServer.start(r -> r.carries(GOOD) ? Reaction.GREET : Reaction.HTTP_401)) {
            ProbeRun run = probe(strict.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT, "--json");

            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            for (Scenario s : new Scenario[] {Scenario.NO_CREDENTIAL, Scenario.GARBAGE_TOKEN}) {
                assertThat(run.verdict(s)).as(s + " in " + run).isEqualTo("UNREADABLE");
                assertThat(run.row(s).path("observed").asText()).isEqualTo("HTTP 401 Unauthorized");
                assertThat(run.row(s).path("why").asText())
                        .isEqualTo("refused with HTTP 401 before the upgrade: a browser sees only close 1006;"
                                + " complete the handshake and close with 4401 (or 1008) and a reason");
            }
            assertThat(run.verdict(Scenario.TOKEN_IN_HEADER)).isEqualTo("SAFE");
            assertThat(run.verdict(Scenario.TOKEN_IN_QUERY)).isEqualTo("SAFE");
            // A foreign page is not the server's to talk to: refusing it before the upgrade is right.
            assertThat(run.verdict(Scenario.FOREIGN_ORIGIN)).isEqualTo("SAFE");
        }
    }

    @Test
    void aServerTakingTheTokenOnlyFromTheQueryDoesNotSupportTheOtherCarriersWhichIsNotAFailure() {
        // The seed-style FastAPI socket: ?token= only, and a close before accept() (Starlette: HTTP 403).
        try (NaiveServer queryOnly =
                NaiveServer.start(r -> r.target().contains("token=" + GOOD) ? Reaction.GREET : Reaction.HTTP_403)) {
            ProbeRun json = probe(queryOnly.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT, "--json");
            ProbeRun table = probe(queryOnly.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT);

            assertThat(json.verdict(Scenario.TOKEN_IN_QUERY)).isEqualTo("SAFE");
            for (Scenario s : new Scenario[] {Scenario.TOKEN_IN_HEADER, Scenario.TOKEN_IN_SUBPROTOCOL}) {
                assertThat(json.verdict(s)).as(s + " in " + json).isEqualTo("NOT_SUPPORTED");
                assertThat(json.row(s).path("observed").asText()).isEqualTo("HTTP 403 Forbidden");
            }
            assertThat(json.row(Scenario.TOKEN_IN_HEADER).path("why").asText())
                    .isEqualTo("the same token was accepted by ?token=: this server does not take a token by the"
                            + " Authorization header");
            // Its refusals are still unreadable: a browser sees close 1006 for a bad token.
            assertThat(json.verdict(Scenario.NO_CREDENTIAL)).isEqualTo("UNREADABLE");
            assertThat(json.json().path("summary").path("not_supported").asInt())
                    .isEqualTo(2);
            assertThat(table.out())
                    .contains("    note: the same token was accepted by ?token=: this server does not take a token"
                            + " by the subprotocol")
                    .contains("2 not supported");
        }
    }

    @Test
    void aCarrierThatDropsTheConnectionKeepsItsVerdictEvenWhenAnotherTookTheToken() {
        // A drop may be the server failing on that carrier, not declining it.
        try (NaiveServer crashy = NaiveServer.start(r -> r.target().contains("token=" + GOOD)
                ? Reaction.GREET
                : r.carries(GOOD) ? Reaction.DROP : Reaction.HTTP_403)) {
            ProbeRun run = probe(crashy.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT, "--json");

            assertThat(run.verdict(Scenario.TOKEN_IN_QUERY)).isEqualTo("SAFE");
            assertThat(run.verdict(Scenario.TOKEN_IN_HEADER)).isEqualTo("UNREADABLE");
            assertThat(run.verdict(Scenario.TOKEN_IN_SUBPROTOCOL)).isEqualTo("UNREADABLE");
        }
    }

    @Test
    void theCarrierRowsArePrintedBeforeTheNextUpgradeEvenIfItFails() {
        AtomicReference<NaiveServer> self = new AtomicReference<>();
        try (NaiveServer vanishing = NaiveServer.start(r -> {
            if (r.target().contains("token=" + GOOD)) {
                self.get().close(); // the last carrier: the foreign-Origin upgrade after it finds nobody
                return Reaction.DROP;
            }
            return r.carries(GOOD) ? Reaction.GREET : Reaction.HTTP_403;
        })) {
            self.set(vanishing);
            ProbeRun run = probe(vanishing.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT);

            assertThat(run.exit()).as(run.toString()).isEqualTo(2);
            assertThat(run.out()).contains("valid token, Authorization header", "valid token, ?token=");
            assertThat(run.err()).contains("cannot connect");
        }
    }

    @Test
    void aServerRefusingTheValidTokenByEveryCarrierKeepsEachRefusalsOwnVerdict() {
        try (NaiveServer refusing = NaiveServer.start(r -> Reaction.HTTP_403)) {
            ProbeRun run = probe(refusing.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT, "--json");

            assertThat(run.exit()).isEqualTo(1);
            for (Scenario s :
                    new Scenario[] {Scenario.TOKEN_IN_HEADER, Scenario.TOKEN_IN_SUBPROTOCOL, Scenario.TOKEN_IN_QUERY}) {
                assertThat(run.verdict(s)).as(s + " in " + run).isEqualTo("UNREADABLE");
            }
            assertThat(run.json().path("summary").path("not_supported").asInt()).isZero();
        }
    }

    @Test
    void aCloseFrameWithoutCodeOrReasonIsUnreadable() {
        try (NaiveServer terse =
                NaiveServer.start(r -> r.carries(GOOD) ? Reaction.GREET : Reaction.CLOSE_WITHOUT_CODE)) {
            ProbeRun run = probe(terse.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT, "--json");

            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            assertThat(run.verdict(Scenario.NO_CREDENTIAL)).isEqualTo("UNREADABLE");
            assertThat(run.row(Scenario.NO_CREDENTIAL).path("observed").asText())
                    .isEqualTo("close without a code");
            assertThat(run.row(Scenario.NO_CREDENTIAL).path("close_code").asInt())
                    .isEqualTo(1005);
            assertThat(run.row(Scenario.GARBAGE_TOKEN).path("why").asText())
                    .startsWith("closed without a code: the client cannot tell why");
        }
    }

    @Test
    void aConnectionDroppedWithoutACloseFrameIsUnreadable() {
        try (NaiveServer rude = NaiveServer.start(r -> r.carries(GOOD) ? Reaction.GREET : Reaction.DROP)) {
            ProbeRun run = probe(rude.ws().toString(), "--token", GOOD, "--wait", REFUSAL_WAIT, "--json");

            assertThat(run.exit()).as(run.toString()).isEqualTo(1);
            assertThat(run.verdict(Scenario.NO_CREDENTIAL)).isEqualTo("UNREADABLE");
            assertThat(run.row(Scenario.NO_CREDENTIAL).path("why").asText())
                    .startsWith("dropped the connection without a close frame: a browser sees close 1006");
            assertThat(run.verdict(Scenario.TOKEN_IN_SUBPROTOCOL)).isEqualTo("SAFE");
        }
    }
}
