package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The verifier on its own, against a real backend: the JSON-to-principal mapping, the caches on a
 * clock the test moves, single flight, and that {@code verify} returns at once on an event loop.
 */
class IntrospectionVerifierTest {
    static final IntrospectionBackend backend = IntrospectionBackend.start();
    static final Duration CACHE_TTL = Duration.ofSeconds(30);
    static final Duration NEGATIVE_CACHE_TTL = Duration.ofSeconds(5);

    final MutableClock clock = new MutableClock(Instant.now());
    final IntrospectionVerifier verifier = IntrospectionVerifier.forConfig(config(Duration.ofSeconds(2)), clock);

    static GatehouseConfig.Introspection config(Duration timeout) {
        return new GatehouseConfig.Introspection(
                backend.url(), "Bearer", "id", CACHE_TTL, NEGATIVE_CACHE_TTL, timeout, Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
    }

    static String token() {
        return UUID.randomUUID().toString();
    }

    Verdict verify(String token) {
        return verifier.verify(token)
                .toCompletableFuture()
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
    }

    @Test
    void aBackendUserBecomesAnIntrospectedPrincipal() {
        String token = token();
        long exp = clock.instant().plus(Duration.ofHours(1)).getEpochSecond();
        backend.answer(
                token,
                200,
                "{\"id\":1001,\"username\":\"alice\",\"roles\":[\"editor\"],\"channels\":[\"news\",\"team:7\"],\"exp\":"
                        + exp + "}");
        Principal p = verify(token).principal();
        assertThat(p.user()).isEqualTo(new User("1001", "alice", List.of("editor")));
        assertThat(p.channels()).containsExactlyInAnyOrder("news", "team:7");
        assertThat(p.expiresAt()).isEqualTo(Instant.ofEpochSecond(exp));
        assertThat(p.kind()).isEqualTo(TokenKind.INTROSPECTED);
        assertThat(p.credentialId()).isEqualTo(Fingerprint.credentialId(token));
    }

    @Test
    void aNameIsPreferredToAUsernameAndWithoutEitherTheIdIsTheName() {
        String named = token();
        String bare = token();
        backend.answer(named, 200, "{\"id\":\"u1\",\"name\":\"Alice Liddell\",\"username\":\"alice\"}");
        backend.answer(bare, 200, "{\"id\":\"u2\"}");
        assertThat(verify(named).principal().user().name()).isEqualTo("Alice Liddell");
        Principal p = verify(bare).principal();
        assertThat(p.user().name()).isEqualTo("u2");
        assertThat(p.expiresAt()).isNull();
        assertThat(p.channels()).isEmpty();
    }

    @Test
    void djangoSuperusersAreAdminsButStaffAreNot() {
        String superuser = token();
        String staff = token();
        String plain = token();
        backend.answer(superuser, 200, "{\"id\":1,\"username\":\"root\",\"is_superuser\":true,\"is_staff\":true}");
        backend.answer(staff, 200, "{\"id\":2,\"username\":\"sam\",\"is_staff\":true,\"roles\":[\"support\"]}");
        backend.answer(plain, 200, "{\"id\":3,\"username\":\"pat\",\"is_superuser\":false,\"is_staff\":false}");
        assertThat(verify(superuser).principal().user().roles()).containsExactly("admin");
        assertThat(verify(staff).principal().user().roles())
                .containsExactly("support"); // is_staff only opens Django's admin site
        assertThat(verify(plain).principal().user().isAdmin()).isFalse();
    }

    @Test
    void anAnswerWithoutTheIdFieldSaysWhichSettingToFix() {
        String token = token();
        backend.answer(token, 200, "{\"pk\":5,\"username\":\"alice\"}");
        Verdict v = verify(token);
        assertThat(v.refusal().code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
        assertThat(v.refusal().hint()).contains("\"id\"").contains("auth.introspection.id_field");
    }

    @Test
    void answersThatAreNotAJsonUserAreBackendUnavailable() {
        String html = token();
        String list = token();
        String badRoles = token();
        String redirect = token();
        backend.answer(html, 200, "<html>login</html>");
        backend.answer(list, 200, "[{\"id\":1}]");
        backend.answer(badRoles, 200, "{\"id\":1,\"roles\":\"admin\"}");
        backend.answer(redirect, 302, "");
        for (String token : List.of(html, list, badRoles, redirect)) {
            Verdict v = verify(token);
            assertThat(v.refusal().code()).as(token).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
            assertThat(v.refusal().hint()).contains("auth.introspection.url").doesNotContain(token);
        }
        assertThat(verify(redirect).refusal().hint()).contains("HTTP 302").contains("200, 401 or 403");
    }

    @Test
    void aTokenTheBackendSaysHasExpiredIsRefusedAsExpired() {
        String token = token();
        backend.answer(
                token,
                200,
                "{\"id\":1,\"exp\":" + clock.instant().minusSeconds(1).getEpochSecond() + "}");
        assertThat(verify(token).refusal().code()).isEqualTo(RefusalCode.TOKEN_EXPIRED);
    }

    @Test
    void aTokenThatCouldNotBeAHeaderValueIsRefusedWithoutACall() {
        int before = backend.calls();
        for (String token :
                List.of("abc\r\nX-Admin: yes", "two words", "x".repeat(IntrospectionVerifier.MAX_TOKEN_CHARS + 1))) {
            assertThat(verify(token).refusal().code()).isEqualTo(RefusalCode.TOKEN_INVALID);
        }
        assertThat(backend.calls()).isEqualTo(before);
    }

    @Test
    void anAcceptedAnswerIsReusedForTheCacheTtl() {
        String token = token();
        backend.answer(token, 200, "{\"id\":1}");
        verify(token);
        clock.advance(CACHE_TTL.minusMillis(1));
        assertThat(verify(token).isAccepted()).isTrue();
        assertThat(backend.calls(token)).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        verify(token);
        assertThat(backend.calls(token)).isEqualTo(2);
    }

    @Test
    void anAcceptedAnswerIsNeverReusedPastTheUsersExp() {
        String token = token();
        backend.answer(
                token,
                200,
                "{\"id\":1,\"exp\":" + clock.instant().plusSeconds(10).getEpochSecond() + "}");
        assertThat(verify(token).isAccepted()).isTrue();
        clock.advance(Duration.ofSeconds(11)); // well inside the 30 s cache TTL
        assertThat(verify(token).refusal().code()).isEqualTo(RefusalCode.TOKEN_EXPIRED);
        assertThat(backend.calls(token)).isEqualTo(2);
    }

    @Test
    void aRefusalIsReusedForTheNegativeCacheTtlOnly() {
        String token = token();
        backend.answer(token, 401, "{\"detail\":\"Invalid token.\"}");
        verify(token);
        clock.advance(NEGATIVE_CACHE_TTL.minusMillis(1));
        assertThat(verify(token).refusal().code()).isEqualTo(RefusalCode.TOKEN_INVALID);
        assertThat(backend.calls(token)).isEqualTo(1);
        clock.advance(Duration.ofMillis(1));
        verify(token);
        assertThat(backend.calls(token)).isEqualTo(2);
    }

    @Test
    void anOutageIsNeverCached() {
        String token = token();
        backend.answer(token, 502, "");
        assertThat(verify(token).refusal().code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
        assertThat(verify(token).refusal().code()).isEqualTo(RefusalCode.BACKEND_UNAVAILABLE);
        assertThat(backend.calls(token)).isEqualTo(2);
    }

    @Test
    void twentyConcurrentVerificationsOfOneTokenShareOneBackendCall() throws Exception {
        String token = token();
        backend.answer(token, 200, "{\"id\":\"shared\"}", Duration.ofMillis(300));
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Verdict>> verdicts = new ArrayList<>();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            CompletableFuture<Verdict> result = new CompletableFuture<>();
            verdicts.add(result);
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    verifier.verify(token).whenComplete((v, e) -> result.complete(v));
                } catch (InterruptedException e) {
                    result.completeExceptionally(e);
                }
            });
            callers.add(t);
            t.start();
        }
        go.countDown();
        for (Thread t : callers) {
            t.join(5_000);
        }
        for (CompletableFuture<Verdict> v : verdicts) {
            assertThat(v.get(10, TimeUnit.SECONDS).principal().user().id()).isEqualTo("shared");
        }
        assertThat(backend.calls(token)).isEqualTo(1);
    }

    @Test
    void verifyReturnsAtOnceOnAnEventLoopWhileTheBackendIsSlow() throws Exception {
        // The backend answers only when the test lets it, and the timeout is far beyond the test:
        // a verify that returns while the answer is held did not wait for it, however slow the
        // machine. (A stopwatch bound on verify measured the machine.) Its time is printed.
        IntrospectionVerifier patient = IntrospectionVerifier.forConfig(config(Duration.ofMinutes(1)), clock);
        String token = token();
        CountDownLatch release = backend.answerWhenReleased(token, 200, "{\"id\":\"slow\"}");
        AtomicLong elapsedNanos = new AtomicLong();
        AtomicReference<CompletableFuture<Verdict>> returned = new AtomicReference<>();
        AtomicReference<Boolean> doneOnReturn = new AtomicReference<>();
        AtomicReference<String> completedOn = new AtomicReference<>();
        Thread loop = new Thread(
                () -> {
                    long start = System.nanoTime();
                    CompletableFuture<Verdict> f = patient.verify(token).toCompletableFuture();
                    elapsedNanos.set(System.nanoTime() - start);
                    doneOnReturn.set(f.isDone());
                    returned.set(f.whenComplete(
                            (v, e) -> completedOn.set(Thread.currentThread().getName())));
                },
                "gatehouse-loop-test");
        loop.start();
        try {
            loop.join(10_000);
            assertThat(loop.isAlive())
                    .as("verify returned while the backend held its answer")
                    .isFalse();
            assertThat(doneOnReturn.get()).isFalse();
            System.out.println(
                    "verify returned in " + Duration.ofNanos(elapsedNanos.get()).toMillis() + " ms");
        } finally {
            release.countDown();
        }
        assertThat(returned.get().get(10, TimeUnit.SECONDS).principal().user().id())
                .isEqualTo("slow");
        assertThat(completedOn.get()).isNotEqualTo("gatehouse-loop-test");
    }

    @Test
    void aCallerCannotCancelTheCallOthersAreWaitingOn() throws Exception {
        String token = token();
        backend.answer(token, 200, "{\"id\":\"kept\"}", Duration.ofMillis(200));
        CompletableFuture<Verdict> first = verifier.verify(token).toCompletableFuture();
        CompletableFuture<Verdict> second = verifier.verify(token).toCompletableFuture();
        first.cancel(true);
        assertThat(second.get(10, TimeUnit.SECONDS).principal().user().id()).isEqualTo("kept");
        assertThat(verify(token).isAccepted()).isTrue();
        assertThat(backend.calls(token)).isEqualTo(1);
    }
}
