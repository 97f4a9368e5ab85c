package io.gatehouse.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An office of 1,000 users behind one NAT address, on one node that is drained: every user
 * reconnects (to the next node) as the close frame says, and with default limits all are back
 * within the drain window plus 10 s.
 */
class OfficeReconnectTest {
    static final int USERS = 1000;
    static final Pattern RETRY_AFTER = Pattern.compile("retry_after_ms=(\\d+)");

    /** What a well-behaved client does: reconnect after the server's hint, else with full-jitter backoff. */
    static final class OfficeUser implements WebSocket.Listener {
        final String token;
        final ScheduledExecutorService timers;
        final HttpClient http;
        final CountDownLatch onFirstNode;
        final CountDownLatch onSecondNode;
        final AtomicInteger refusals;
        final URI firstNode;
        final URI secondNode;
        volatile URI target;
        int attempt;

        OfficeUser(
                String token,
                URI first,
                URI second,
                HttpClient http,
                ScheduledExecutorService timers,
                CountDownLatch onFirstNode,
                CountDownLatch onSecondNode,
                AtomicInteger refusals) {
            this.token = token;
            this.firstNode = first;
            this.secondNode = second;
            this.target = first;
            this.http = http;
            this.timers = timers;
            this.onFirstNode = onFirstNode;
            this.onSecondNode = onSecondNode;
            this.refusals = refusals;
        }

        void connect() {
            URI to = target;
            http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .connectTimeout(Duration.ofSeconds(10))
                    .buildAsync(to, this)
                    .whenComplete((ws, failure) -> {
                        if (failure != null) {
                            refusals.incrementAndGet();
                            Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                            long wait = backoff();
                            if (cause instanceof WebSocketHandshakeException h) {
                                wait = h.getResponse()
                                                .headers()
                                                .firstValueAsLong("Retry-After")
                                                .orElse(-1)
                                        * 1000;
                                wait = wait > 0 ? wait : backoff();
                            }
                            timers.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
                        }
                    });
        }

        long backoff() {
            long cap = Math.min(30_000, 500L << Math.min(attempt++, 6));
            return ThreadLocalRandom.current().nextLong(cap);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            if (data.toString().contains("\"connection_established\"")) {
                attempt = 0;
                (target == firstNode ? onFirstNode : onSecondNode).countDown();
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            Matcher m = RETRY_AFTER.matcher(reason);
            long wait = m.find() ? Long.parseLong(m.group(1)) : backoff();
            target = secondNode;
            timers.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
            return null;
        }
    }

    @Test
    void aThousandUsersBehindOneAddressAreAllBackWithinTheDrainWindowPlusTenSeconds() throws Exception {
        // Default limits: TestGatehouse lifts the per-IP ones for other tests; put them back.
        TestGatehouse first = withDefaultLimits(new TestGatehouse()).start();
        Thread stopping = new Thread(first::close, "drain");
        try (TestGatehouse second = withDefaultLimits(new TestGatehouse()).start()) {
            Duration drain = io.gatehouse.config.ConfigLoader.defaults().shutdownDrain();
            HttpClient http = HttpClient.newHttpClient();
            ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
            CountDownLatch onFirst = new CountDownLatch(USERS);
            CountDownLatch onSecond = new CountDownLatch(USERS);
            AtomicInteger refusals = new AtomicInteger();
            List<OfficeUser> users = new ArrayList<>();
            for (int i = 0; i < USERS; i++) {
                OfficeUser u = new OfficeUser(
                        Jwts.hs256For("office" + i),
                        first.ws(),
                        second.ws(),
                        http,
                        timers,
                        onFirst,
                        onSecond,
                        refusals);
                users.add(u);
                u.connect();
            }
            assertThat(onFirst.await(60, TimeUnit.SECONDS))
                    .as("all connected to the first node")
                    .isTrue();
            int refusedBeforeDrain = refusals.get();

            long drainStarted = System.nanoTime();
            stopping.start();
            boolean allBack = onSecond.await(drain.toSeconds() + 10, TimeUnit.SECONDS);
            Duration took = Duration.ofNanos(System.nanoTime() - drainStarted);
            assertThat(allBack)
                    .as(USERS - onSecond.getCount() + " of " + USERS + " back after " + took + "; refused on the way: "
                            + (refusals.get() - refusedBeforeDrain))
                    .isTrue();
            System.out.println("office reconnect: " + USERS + " users back on the second node " + took.toMillis()
                    + " ms after the drain began (window " + drain.toMillis() + " ms); refused on the way: "
                    + (refusals.get() - refusedBeforeDrain));
            stopping.join(30_000);
            timers.shutdownNow();
        } finally {
            if (stopping.getState() == Thread.State.NEW) {
                first.close();
            }
        }
    }

    static TestGatehouse withDefaultLimits(TestGatehouse server) {
        return server.with(ConfigKey.LIMITS_UPGRADES_PER_IP.key(), ConfigKey.LIMITS_UPGRADES_PER_IP.defaultValue())
                .with(
                        ConfigKey.LIMITS_AUTH_FAILURES_PER_IP.key(),
                        ConfigKey.LIMITS_AUTH_FAILURES_PER_IP.defaultValue());
    }
}
