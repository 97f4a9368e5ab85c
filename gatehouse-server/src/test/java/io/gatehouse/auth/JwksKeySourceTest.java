package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The JWKS cache, refetch limits and single flight, on {@link JwtVerifier} with a real JWKS server
 * and a clock the test moves, so TTLs and the 30 s limit pass without sleeping.
 */
class JwksKeySourceTest {
    static final KeyPair RSA = Jwts.rsaKeys();
    static final Duration TTL = Duration.ofMinutes(5);

    private final JwksServer jwks = JwksServer.start();
    private final TestClock clock = new TestClock();

    @AfterEach
    void stop() {
        jwks.close();
    }

    private GatehouseConfig.Jwt config() {
        return new GatehouseConfig.Jwt(
                TestGatehouse.SECRET,
                List.of(),
                "",
                "",
                Duration.ofSeconds(30),
                jwks.url().toString(),
                TTL,
                "",
                List.of(),
                GatehouseConfig.Jwt.ALGORITHMS,
                List.of());
    }

    private JwtVerifier verifier() {
        return new JwtVerifier(
                TestGatehouse.SECRET.getBytes(StandardCharsets.UTF_8),
                config(),
                Optional.of(new JwksKeySource(jwks.url(), TTL, HttpClient.newHttpClient(), clock)));
    }

    private static Verdict await(CompletionStage<Verdict> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String token(String sub, KeyPair keys, String kid) {
        return JwksServer.rs256(Jwts.claims(sub), keys, kid);
    }

    @Test
    void verifyOnAnEventLoopThreadReturnsAnIncompleteStageAtOnceWhileTheJwksServerIsSlow() throws Exception {
        // The JWKS server answers only when the test lets it: a verify that returns while the keys
        // are held did not wait for them, however slow the machine. (A 500 ms stopwatch on verify
        // measured the machine.) Had it waited for the fetch, its stage would be done (a timeout's
        // refusal) when it returned. Its time is printed.
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        CountDownLatch release = jwks.holdResponses();
        JwtVerifier verifier = JwtVerifier.forConfig(
                TestGatehouse.SECRET.getBytes(StandardCharsets.UTF_8), config(), Clock.systemUTC());
        String token = token("looper", RSA, "rsa-1");
        AtomicReference<CompletionStage<Verdict>> stage = new AtomicReference<>();
        AtomicReference<Boolean> doneAtReturn = new AtomicReference<>();
        AtomicReference<Duration> took = new AtomicReference<>();

        Thread loop = new Thread(
                () -> {
                    long start = System.nanoTime();
                    stage.set(verifier.verify(token));
                    took.set(Duration.ofNanos(System.nanoTime() - start));
                    doneAtReturn.set(stage.get().toCompletableFuture().isDone());
                },
                "gatehouse-loop-test");
        loop.start();
        try {
            loop.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(loop.isAlive())
                    .as("verify returned while the JWKS server held the keys")
                    .isFalse();
            assertThat(doneAtReturn.get()).isFalse();
            System.out.println("verify returned in " + took.get().toMillis() + " ms");
        } finally {
            release.countDown();
        }
        Verdict verdict = await(stage.get());
        assertThat(verdict.isAccepted()).isTrue();
        assertThat(verdict.principal().user().id()).isEqualTo("looper");
    }

    @Test
    void concurrentVerificationsNeedingAFetchShareOneFetch() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1")).delay(Duration.ofMillis(300));
        JwtVerifier verifier = verifier();
        List<CompletionStage<Verdict>> stages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            stages.add(verifier.verify(token("u" + i, RSA, "rsa-1")));
        }

        for (CompletionStage<Verdict> s : stages) {
            assertThat(await(s).isAccepted()).isTrue();
        }
        assertThat(jwks.requests()).isEqualTo(1);
    }

    @Test
    void keysAreFetchedAgainOnceTheCacheTtlHasPassed() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        JwtVerifier verifier = verifier();
        String token = token("ttl", RSA, "rsa-1");
        assertThat(await(verifier.verify(token)).isAccepted()).isTrue();

        clock.advance(TTL.minusSeconds(1));
        assertThat(await(verifier.verify(token)).isAccepted()).isTrue();
        assertThat(jwks.requests()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(2));
        assertThat(await(verifier.verify(token)).isAccepted()).isTrue();
        assertThat(jwks.requests()).isEqualTo(2);
    }

    @Test
    void cachedKeysKeepWorkingWhenTheJwksServerGoesDown() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        JwtVerifier verifier = verifier();
        String token = token("steady", RSA, "rsa-1");
        assertThat(await(verifier.verify(token)).isAccepted()).isTrue();

        jwks.close();
        clock.advance(TTL.plusMinutes(1));

        assertThat(await(verifier.verify(token)).isAccepted()).isTrue();
        // An unknown kid is still just invalid: the keys at hand cannot verify it.
        Verdict unknown = await(verifier.verify(token("stranger", Jwts.rsaKeys(), "rsa-9")));
        assertThat(unknown.refusal().code()).isEqualTo(RefusalCode.TOKEN_INVALID);
    }

    /**
     * Issue 10 point 8: a flood of made-up kids used to spend the 30-second unknown-kid refetch
     * allowance, so a real rotation's new kid was refused for up to 30 s. Now an unknown kid inside
     * the (1 s) interval waits for the next refetch, which all of them share.
     */
    @Test
    void aFloodOfMadeUpKidsDoesNotLockOutARealKeyRotation() {
        KeyPair second = Jwts.rsaKeys();
        KeyPair stranger = Jwts.rsaKeys();
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        JwtVerifier verifier = verifier();
        assertThat(await(verifier.verify(token("first", RSA, "rsa-1"))).isAccepted())
                .isTrue();
        assertThat(jwks.requests()).isEqualTo(1);

        List<String> garbage = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            garbage.add(token("x", stranger, "garbage-" + i));
        }
        long start = System.nanoTime();
        List<CompletionStage<Verdict>> flood = new ArrayList<>();
        for (String g : garbage) {
            flood.add(verifier.verify(g));
        }
        // The issuer rotates while the flood goes on; its new kid comes right behind the garbage.
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"), JwksServer.rsaJwk(second, "rsa-2"));
        CompletionStage<Verdict> rotated = verifier.verify(token("rotated", second, "rsa-2"));

        for (CompletionStage<Verdict> s : flood) {
            assertThat(await(s).refusal().code()).isEqualTo(RefusalCode.TOKEN_INVALID);
        }
        assertThat(await(rotated).isAccepted()).isTrue(); // the fake clock never moved: no 30 s wait
        // 500 made-up kids cost the issuer one request per UNKNOWN_KID_REFETCH_INTERVAL, not 500.
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        assertThat(jwks.requests()).isBetween(2, 3 + (int) seconds);
    }

    @Test
    void anUnknownKidJustAfterARefetchWaitsForTheNextInsteadOfBeingRefused() {
        KeyPair second = Jwts.rsaKeys();
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"));
        JwtVerifier verifier = verifier();
        assertThat(await(verifier.verify(token("first", RSA, "rsa-1"))).isAccepted())
                .isTrue();

        assertThat(await(verifier.verify(token("x", Jwts.rsaKeys(), "nobody")))
                        .refusal()
                        .code())
                .isEqualTo(RefusalCode.TOKEN_INVALID);
        assertThat(jwks.requests()).isEqualTo(2);

        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1"), JwksServer.rsaJwk(second, "rsa-2"));
        assertThat(await(verifier.verify(token("rotated", second, "rsa-2"))).isAccepted())
                .isTrue();
        assertThat(jwks.requests()).isEqualTo(3);
    }

    /** Issue 10 point 8: the JDK client's default HTTP/2 sends an h2c upgrade, which uvicorn < 0.19 answers with 400. */
    @Test
    void aJwksServerThatRefusesH2cUpgradesStillServesItsKeys() {
        jwks.serve(JwksServer.rsaJwk(RSA, "rsa-1")).refuseH2cUpgrade();
        JwtVerifier verifier = JwtVerifier.forConfig(
                TestGatehouse.SECRET.getBytes(StandardCharsets.UTF_8), config(), Clock.systemUTC());

        Verdict verdict = await(verifier.verify(token("uvicorn", RSA, "rsa-1")));

        assertThat(verdict.isAccepted()).as("%s", verdict.refusal()).isTrue();
    }

    @Test
    void aJwksWithoutAnyUsableSigningKeyCountsAsUnavailable() throws Exception {
        KeyPairGenerator weak = KeyPairGenerator.getInstance("RSA");
        weak.initialize(1024);
        KeyPair small = weak.generateKeyPair();
        jwks.serve(JwksServer.rsaJwk(small, "weak"));

        Verdict verdict = await(verifier().verify(token("weak", RSA, "weak")));

        assertThat(verdict.refusal().code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
        assertThat(verdict.refusal().hint()).contains("auth.jwt.jwks_url");
    }

    @Test
    void afterAFailedFirstFetchTheNextIsTriedOnlyAfterABackoff() {
        jwks.close();
        JwtVerifier verifier = verifier();
        String token = token("patient", RSA, "rsa-1");

        assertThat(await(verifier.verify(token)).refusal().code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
        CompletionStage<Verdict> soon = verifier.verify(token);
        assertThat(soon.toCompletableFuture().isDone()).isTrue();
        assertThat(await(soon).refusal().code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
    }

    /** A clock the test moves by hand. */
    static final class TestClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    }
}
