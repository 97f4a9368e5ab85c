package io.gatehouse.demo;

import io.gatehouse.auth.TokenIssuer;
import io.gatehouse.auth.User;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.config.RateLimit;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Loopback WebSocket clients of the demo user, so that a dashboard opened in the first seconds has
 * something to draw: {@value #RESIDENTS} clients (JDK {@code java.net.http}) connect with opaque
 * tokens the node mints, subscribe to {@value Demo#CHANNEL} and ping now and then; all but the
 * first leave after a while and come back, so upgrades keep arriving. A few upgrades are refused on
 * purpose at start and one every {@link #refusalPeriod} afterwards, alternating an unknown token
 * ({@code TOKEN_INVALID}) and an expired one ({@code TOKEN_EXPIRED}), slowly enough that the
 * loopback address keeps its {@code limits.auth_failures_per_ip} and {@code limits.upgrades_per_ip}
 * allowance for the operator's own browser. The clients only ever connect to this node.
 * Everything runs on one timer thread; the sockets' callbacks hop onto it.
 */
final class DemoTraffic implements AutoCloseable {
    static final int RESIDENTS = 4;
    static final String USER_AGENT = "gatehouse-demo";
    static final Duration TOKEN_TTL = Duration.ofHours(1);
    /** A token with less than this left is replaced at the next connect. */
    private static final Duration TOKEN_MARGIN = Duration.ofMinutes(5);
    /** Refused upgrades at start: an unknown token, an expired one, and again. */
    private static final int REFUSALS_AT_START = 4;

    private final TokenIssuer issuer;
    private final User user;
    private final URI ws;
    private final long refusalPeriodMillis;
    private final int invalidAtStart;
    final ScheduledExecutorService timer = Demo.timer("traffic");
    private final ExecutorService sockets = Executors.newCachedThreadPool(Demo.threads("ws"));
    final HttpClient http;
    private final List<DemoClient> clients = new ArrayList<>();
    private volatile boolean closed;
    /** Only on the timer thread. */
    private long refusals;

    private String expiredToken;

    DemoTraffic(TokenIssuer issuer, User user, URI ws, GatehouseConfig.Limits limits) {
        this.issuer = issuer;
        this.user = user;
        this.ws = ws;
        this.refusalPeriodMillis = refusalPeriod(limits).toMillis();
        // Half the refused-credential burst at most, so the operator's browser on this address is never slowed.
        this.invalidAtStart =
                Math.min(REFUSALS_AT_START / 2, limits.authFailuresPerIp().burst() / 4);
        this.http = HttpClient.newBuilder()
                .executor(sockets)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /**
     * One refused upgrade per period, alternately one that counts as a failed credential: at most
     * half of what {@code limits.auth_failures_per_ip} and {@code limits.upgrades_per_ip} refill,
     * and at least 5 s apart.
     */
    static Duration refusalPeriod(GatehouseConfig.Limits limits) {
        double millis = 5000;
        millis = Math.max(millis, 1000 / rate(limits.authFailuresPerIp())); // TOKEN_INVALID every other period
        millis = Math.max(millis, 2000 / rate(limits.upgradesPerIp()));
        return Duration.ofMillis((long) Math.ceil(millis));
    }

    private static double rate(RateLimit limit) {
        return Math.max(limit.ratePerSecond(), 1e-6);
    }

    void start() {
        for (int i = 0; i < RESIDENTS; i++) {
            DemoClient c = new DemoClient(this, i > 0);
            clients.add(c);
            later(c::connect, 250L * i);
        }
        int invalid = 0;
        int at = 0;
        for (int i = 0; i < REFUSALS_AT_START; i++) {
            boolean asInvalid = i % 2 == 0 && invalid < invalidAtStart;
            invalid += asInvalid ? 1 : 0;
            later(() -> refuse(asInvalid), 400L + 300L * at++);
        }
        timer.scheduleWithFixedDelay(
                () -> refuse(refusals++ % 2 == 1), refusalPeriodMillis, refusalPeriodMillis, TimeUnit.MILLISECONDS);
    }

    boolean closed() {
        return closed;
    }

    URI uri() {
        return ws;
    }

    /** Runs {@code r} on the timer thread after {@code millis}; nothing once closed. */
    void later(Runnable r, long millis) {
        if (closed) {
            return;
        }
        try {
            timer.schedule(r, millis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            // closing
        }
    }

    /** A fresh opaque token of the demo user and when it expires. */
    DemoClient.Token mint() {
        TokenIssuer.IssuedToken t = issuer.issueOpaque(user, List.of(), TOKEN_TTL);
        return new DemoClient.Token(t.token(), t.expiresAt());
    }

    static boolean stale(DemoClient.Token t) {
        return t == null || t.expiresAt().isBefore(Instant.now().plus(TOKEN_MARGIN));
    }

    /** An upgrade the node refuses: an unknown token ({@code TOKEN_INVALID}) or an expired one ({@code TOKEN_EXPIRED}). */
    private void refuse(boolean invalid) {
        if (closed) {
            return;
        }
        String token;
        if (invalid) {
            token = "ght_demo-unknown-token-"
                    + Long.toHexString(ThreadLocalRandom.current().nextLong());
        } else {
            if (expiredToken == null) {
                try {
                    expiredToken = issuer.issueOpaque(user, List.of(), Duration.ofMillis(1))
                            .token();
                } catch (RuntimeException e) {
                    return; // the database refused; an exception would end the periodic refusals
                }
            }
            token = expiredToken;
        }
        http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .header("User-Agent", USER_AGENT)
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(ws, new WebSocket.Listener() {})
                .thenAccept(accepted -> accepted.abort()); // not expected; the refusal is the point
    }

    /** Stops the timer, then closes every client (1000) and waits a little for the node to answer. */
    @Override
    public void close() {
        closed = true;
        Demo.stop(timer);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        clients.forEach(DemoClient::leaveForGood);
        for (DemoClient c : clients) {
            c.awaitClosed(deadline);
        }
        sockets.shutdownNow();
    }
}
