package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.LoopbackHttp;
import io.gatehouse.testing.TestGatehouse;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Issue 10 point 7, end to end: password hashing has its own bounded pool (queue full: 503 with
 * Retry-After), failed logins are limited per account as well as per IP, and refused API keys and
 * refused {@code auth/verify} / {@code auth/refresh} credentials count against the IP's
 * {@code limits.auth_failures_per_ip}, at the WebSocket upgrade too. Clients are real loopback
 * source addresses (127.0.0.2, ...).
 */
class CredentialGuessingTest {
    private static final String BAD_KEY = "apikey ghk_" + "A".repeat(43);

    @Test
    void refusedApiKeysCountAgainstTheIpAndItsUpgradesGet429BeforeTheUpgrade() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.auth_failures_per_ip", Map.of("rate", 0.001, "burst", 3))
                .start()) {
            InetAddress guesser = LoopbackHttp.source(10);
            int port = server.gatehouse().port();
            for (int i = 0; i < 3; i++) {
                LoopbackHttp.Answer a = LoopbackHttp.post(
                        guesser,
                        port,
                        "/api/v1/publish",
                        "{\"channel\":\"news\",\"data\":1}",
                        "Authorization: " + BAD_KEY);
                assertThat(a.status()).isEqualTo(401);
                assertThat(a.json().path("code").asText()).isEqualTo("TOKEN_INVALID");
            }
            LoopbackHttp.Answer next = LoopbackHttp.post(
                    guesser,
                    port,
                    "/api/v1/publish",
                    "{\"channel\":\"news\",\"data\":1}",
                    "Authorization: apikey " + server.apiKey("publish"));
            assertThat(next.status()).isEqualTo(429);
            assertThat(next.json().path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(next.header("Retry-After")).isNotNull();

            LoopbackHttp.Answer upgrade = LoopbackHttp.get(
                    guesser,
                    port,
                    "/ws",
                    "Upgrade: websocket",
                    "Connection: Upgrade",
                    "Sec-WebSocket-Version: 13",
                    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
                    "Authorization: Bearer " + Jwts.hs256For("alice"));
            assertThat(upgrade.status()).isEqualTo(429);
            assertThat(upgrade.json().path("code").asText()).isEqualTo("RATE_LIMITED");

            // Another address is not concerned.
            assertThat(LoopbackHttp.post(
                                    LoopbackHttp.source(11),
                                    port,
                                    "/api/v1/publish",
                                    "{\"channel\":\"news\",\"data\":1}",
                                    "Authorization: apikey " + server.apiKey("publish"))
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void refusedVerifyAndRefreshCredentialsCountAgainstTheIp() {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.auth_failures_per_ip", Map.of("rate", 0.001, "burst", 3))
                .start()) {
            int port = server.gatehouse().port();
            String valid = server.opaqueToken("alice");
            InetAddress guesser = LoopbackHttp.source(20);
            for (int i = 0; i < 2; i++) {
                assertThat(LoopbackHttp.get(
                                        guesser,
                                        port,
                                        "/api/v1/auth/verify",
                                        "Authorization: Bearer ght_" + "X".repeat(43))
                                .status())
                        .isEqualTo(401);
            }
            LoopbackHttp.Answer refresh = LoopbackHttp.post(
                    guesser,
                    port,
                    "/api/v1/auth/refresh",
                    "{}",
                    "Cookie: gh_session=ghs_" + "Y".repeat(43),
                    "X-CSRF-Token: ghc_" + "Z".repeat(43));
            assertThat(refresh.status()).isEqualTo(401);

            LoopbackHttp.Answer slowed =
                    LoopbackHttp.get(guesser, port, "/api/v1/auth/verify", "Authorization: Bearer " + valid);
            assertThat(slowed.status()).isEqualTo(429);
            assertThat(slowed.json().path("code").asText()).isEqualTo("RATE_LIMITED");
            assertThat(slowed.header("Retry-After")).isNotNull();
            assertThat(LoopbackHttp.get(
                                    LoopbackHttp.source(21),
                                    port,
                                    "/api/v1/auth/verify",
                                    "Authorization: Bearer " + valid)
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void failedLoginsFromManyAddressesAreLimitedPerAccountWhichRefills() throws Exception {
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.login_failures_per_account", Map.of("rate", 0.5, "burst", 3))
                .start()) {
            server.user("alice", "alice-password", false);
            server.user("bob", "bob-password", false);
            int port = server.gatehouse().port();
            for (int i = 0; i < 3; i++) {
                assertThat(login(LoopbackHttp.source(30 + i), port, "alice", "guess-" + i)
                                .status())
                        .isEqualTo(401);
            }
            // The right password from a fresh address: the account is resting, whoever asks.
            LoopbackHttp.Answer resting = login(LoopbackHttp.source(40), port, "alice", "alice-password");
            assertThat(resting.status()).isEqualTo(429);
            assertThat(resting.json().path("code").asText()).isEqualTo("RATE_LIMITED");
            long retryAfter = Long.parseLong(resting.header("Retry-After"));
            assertThat(retryAfter).isBetween(1L, 2L);
            // Other accounts are not concerned, nor are unknown names told apart.
            assertThat(login(LoopbackHttp.source(41), port, "bob", "bob-password")
                            .status())
                    .isEqualTo(200);
            // The bucket refills: the owner gets in after the wait.
            Thread.sleep(retryAfter * 1000 + 100);
            assertThat(login(LoopbackHttp.source(42), port, "alice", "alice-password")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void loginsSentAtOnceCannotGuessPastThePerAccountLimit() throws Exception {
        // Failures are reserved before the password is hashed: forty guesses in flight together
        // get no more than the bucket's three.
        int guesses = 40;
        try (TestGatehouse server = new TestGatehouse()
                .with("limits.login_failures_per_account", Map.of("rate", 0.001, "burst", 3))
                .start()) {
            server.user("carol", "carol-password", false);
            int port = server.gatehouse().port();
            ExecutorService clients = Executors.newFixedThreadPool(guesses);
            try {
                List<CompletableFuture<LoopbackHttp.Answer>> answers =
                        atOnce(clients, guesses, n -> login(LoopbackHttp.source(150 + n), port, "carol", "guess-" + n));
                List<LoopbackHttp.Answer> all =
                        answers.stream().map(CompletableFuture::join).toList();
                assertThat(all.stream().filter(a -> a.status() == 401).count())
                        .as("passwords checked")
                        .isLessThanOrEqualTo(3);
                assertThat(all).allMatch(a -> a.status() == 401 || a.status() == 429 || a.status() == 503);
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void loginsBeyondTheHashingQueueGet503WithRetryAfterWhileTokensAreStillChecked() throws Exception {
        int logins = 40;
        try (TestGatehouse server =
                new TestGatehouse().with("limits.login_queue", 1).start()) {
            int port = server.gatehouse().port();
            String valid = server.opaqueToken("alice");
            ExecutorService clients = Executors.newFixedThreadPool(logins);
            try {
                List<CompletableFuture<LoopbackHttp.Answer>> answers =
                        atOnce(clients, logins, n -> login(LoopbackHttp.source(100 + n), port, "nobody-" + n, "wrong"));
                assertThat(LoopbackHttp.get(
                                        LoopbackHttp.source(99),
                                        port,
                                        "/api/v1/auth/verify",
                                        "Authorization: Bearer " + valid)
                                .status())
                        .isEqualTo(200);
                List<LoopbackHttp.Answer> all =
                        answers.stream().map(CompletableFuture::join).toList();
                assertThat(all).allMatch(a -> a.status() == 401 || a.status() == 503);
                List<LoopbackHttp.Answer> refused =
                        all.stream().filter(a -> a.status() == 503).toList();
                assertThat(refused).isNotEmpty();
                assertThat(refused)
                        .allMatch(a -> a.json().path("code").asText().equals("BACKEND_UNAVAILABLE")
                                && "1".equals(a.header("Retry-After")));
                assertThat(all).anyMatch(a -> a.status() == 401);
            } finally {
                clients.shutdownNow();
            }
        }
    }

    /** Starts {@code n} calls, each on its own thread, released together; the caller joins them. */
    private static List<CompletableFuture<LoopbackHttp.Answer>> atOnce(
            ExecutorService clients, int n, java.util.function.IntFunction<LoopbackHttp.Answer> call) {
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<LoopbackHttp.Answer>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = i;
            answers.add(CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        return call.apply(k);
                    },
                    clients));
        }
        go.countDown();
        return answers;
    }

    private static LoopbackHttp.Answer login(InetAddress from, int port, String user, String password) {
        return LoopbackHttp.post(
                from, port, "/api/v1/auth/login", "{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}");
    }
}
