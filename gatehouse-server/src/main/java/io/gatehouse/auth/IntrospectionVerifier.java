package io.gatehouse.auth;

import io.gatehouse.concurrent.ExpiringCache;
import io.gatehouse.concurrent.Failures;
import io.gatehouse.config.GatehouseConfig;
import io.gatehouse.protocol.RefusalCode;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies tokens that are neither {@code ght_} tokens nor JWTs by asking the application backend
 * (SPEC §2, "introspected token"): {@code GET auth.introspection.url} with
 * {@code Authorization: <scheme> <token>}. 200 with a JSON user accepts; 401 and 403 refuse with
 * TOKEN_INVALID; a timeout, a failed connection, a 5xx or any other answer refuses with
 * BACKEND_UNAVAILABLE (4503), which tells the client to back off rather than to log in again.
 *
 * <p>Answers are cached under the token's SHA-256, never the token: an accepted user for
 * {@code cache_ttl} (never past its {@code exp}), TOKEN_INVALID for {@code negative_cache_ttl};
 * BACKEND_UNAVAILABLE is not cached, so a backend that recovers is used at once. Concurrent checks
 * of one token share one backend call, so a reconnect storm costs the backend one request per token.
 *
 * <p>The call runs on the HTTP client's threads: {@link #verify} returns at once (it is called on
 * event loops) and its stage completes on those threads.
 */
public final class IntrospectionVerifier implements TokenVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(IntrospectionVerifier.class);
    /** Answers kept at most; the least recently used goes first. */
    static final int MAX_CACHED_ANSWERS = 100_000;
    /** Longer tokens are refused without a call: no backend token is this long. */
    static final int MAX_TOKEN_CHARS = 4096;
    /** An outage is logged at WARN at most this often; the rest goes to DEBUG. */
    private static final Duration WARN_INTERVAL = Duration.ofSeconds(10);

    private final GatehouseConfig.Introspection config;
    private final URI url;
    /** The URL for logs: without user info or query, which may hold a secret. */
    private final String loggableUrl;

    private final HttpClient http;
    private final Clock clock;
    private final IntrospectionAnswers answers;
    private final ExpiringCache<Verdict> cache;
    /** One backend call per token hash at a time; a call removes its own entry once its answer is cached. */
    private final ConcurrentHashMap<String, CompletableFuture<Verdict>> inFlight = new ConcurrentHashMap<>();
    /**
     * Tokens accepted lately, by credential id (the SHA-256 hex the cache uses), so that open
     * connections can be asked about again ({@link #recheck}). In memory only, never logged; a token
     * no open connection uses is dropped by {@link #keepOnly}.
     */
    private final ConcurrentHashMap<String, HeldToken> held = new ConcurrentHashMap<>();
    /** When an outage was last logged at WARN; Long.MIN_VALUE for never. */
    private final AtomicLong lastWarnMillis = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param http sends the calls; its executor is where verdicts complete
     * @param clock decides when cached answers expire
     */
    public IntrospectionVerifier(GatehouseConfig.Introspection config, HttpClient http, Clock clock) {
        if (!config.enabled()) {
            throw new IllegalArgumentException("auth.introspection.url is empty; introspection is off");
        }
        this.config = config;
        this.url = URI.create(config.url());
        this.loggableUrl = url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort())
                + (url.getRawPath() == null ? "" : url.getRawPath());
        this.http = http;
        this.clock = clock;
        this.answers = new IntrospectionAnswers(config.idField(), clock);
        this.cache = new ExpiringCache<>(clock, MAX_CACHED_ANSWERS);
    }

    /** A verifier with its own HTTP client. */
    public static IntrospectionVerifier forConfig(GatehouseConfig.Introspection config, Clock clock) {
        HttpClient http = HttpClient.newBuilder()
                // Application servers (gunicorn, uvicorn, Rails) speak HTTP/1.1 with keep-alive;
                // HTTP/2 over plain http would only add an h2c upgrade attempt to every first request.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER) // a login redirect is a misconfiguration, not a user
                .build();
        return new IntrospectionVerifier(config, http, clock);
    }

    /**
     * Every token the others did not claim (this verifier is last in the chain), except
     * Gatehouse's own secrets ({@code ghs_} sessions, {@code ghk_} API keys, ...): those must never
     * leave the server, so the chain refuses them.
     */
    @Override
    public boolean claims(String token) {
        return !token.isEmpty() && !OWN_SECRET.matcher(token).lookingAt();
    }

    private static final java.util.regex.Pattern OWN_SECRET = java.util.regex.Pattern.compile("gh[a-z]_");

    private record HeldToken(String token, long acceptedAtNanos) {
        @Override
        public String toString() {
            return "HeldToken[" + Fingerprint.of(token) + "]";
        }
    }

    @Override
    public CompletionStage<Verdict> verify(String token) {
        return ask(token, true);
    }

    private CompletionStage<Verdict> ask(String token, boolean hold) {
        CompletionStage<Verdict> verdict = cachedOrAsked(token);
        if (!hold) {
            return verdict;
        }
        return verdict.thenApply(v -> {
            if (v.isAccepted()) {
                held.put(v.principal().credentialId(), new HeldToken(token, System.nanoTime()));
            }
            return v;
        });
    }

    /**
     * Asks the backend about an accepted token again, by its credential id: past the cached answer
     * (a re-check served from the cache would let a deleted token live up to cache_ttl longer), but
     * sharing a call already under way, so the connections sharing a token make one call between
     * them. Empty when this verifier holds no such token (it was forgotten or never accepted here).
     */
    public java.util.Optional<CompletionStage<Verdict>> recheck(String credentialId) {
        HeldToken h = held.get(credentialId);
        if (h == null) {
            return java.util.Optional.empty();
        }
        cache.remove(credentialId); // the cache key is the credential id: the token's SHA-256 hex
        return java.util.Optional.of(ask(h.token(), false));
    }

    /**
     * Drops the held tokens that no id in {@code inUse} names, except those accepted within
     * {@code grace} (their connection may not be registered yet).
     */
    public void keepOnly(Set<String> inUse, Duration grace) {
        long cutoff = System.nanoTime() - grace.toNanos();
        held.entrySet()
                .removeIf(e -> !inUse.contains(e.getKey()) && e.getValue().acceptedAtNanos() - cutoff < 0);
    }

    /**
     * Forgets {@code token}: its cached answer and the held copy, so that the next use asks the
     * backend. Whether there was anything to forget.
     */
    public boolean forget(String token) {
        String key = HexFormat.of().formatHex(SecretToken.sha256(token));
        boolean cached = cache.remove(key);
        return held.remove(key) != null || cached;
    }

    /** The credential id a token of this kind gets: the SHA-256 hex of the token. */
    public static String credentialIdOf(String token) {
        return Fingerprint.credentialId(token);
    }

    private CompletionStage<Verdict> cachedOrAsked(String token) {
        if (!sendable(token)) {
            return CompletableFuture.completedFuture(Verdict.refused(RefusalCode.TOKEN_INVALID.refusal(
                    "The token has characters or a length that no backend token has")));
        }
        String key = HexFormat.of().formatHex(SecretToken.sha256(token));
        Verdict cached = cache.get(key);
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        CompletableFuture<Verdict> call = new CompletableFuture<>();
        CompletableFuture<Verdict> running = inFlight.putIfAbsent(key, call);
        if (running != null) {
            return running.copy(); // a copy, so no caller can complete or cancel what others wait on
        }
        cached = cache.get(key); // a call may have finished between the first look and putIfAbsent
        if (cached != null) {
            inFlight.remove(key, call);
            call.complete(cached);
            return call.copy();
        }
        CompletableFuture<Verdict> asked;
        try {
            asked = ask(token);
        } catch (RuntimeException e) { // e.g. the client's executor refused the call
            asked = CompletableFuture.failedFuture(e);
        }
        asked.whenComplete((verdict, failure) -> {
            Verdict v = verdict;
            if (failure != null) {
                LOG.error("token introspection failed (fingerprint {})", Fingerprint.of(token), failure);
                v = Verdict.refused(RefusalCode.INTERNAL_ERROR.refusal());
            }
            remember(key, v);
            inFlight.remove(key, call); // after remember: whoever misses the call finds the answer
            call.complete(v);
        });
        return call.copy();
    }

    /** Visible ASCII only: anything else cannot be a backend token and must not reach a header. */
    private static boolean sendable(String token) {
        if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    /** One backend call. Never fails: every outcome is a verdict. */
    private CompletableFuture<Verdict> ask(String token) {
        HttpRequest request = HttpRequest.newBuilder(url)
                .GET()
                .header("Authorization", config.scheme() + " " + token)
                .header("Accept", "application/json")
                .timeout(config.timeout())
                .build();
        String fingerprint = Fingerprint.of(token);
        String credentialId = Fingerprint.credentialId(token);
        CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(request, IntrospectionVerifier::bodyIfOk);
        // The request timeout covers the wait for the status line; this deadline also covers a
        // body that stalls, which would otherwise hold every handshake with this token.
        return sent.copy()
                .orTimeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, failure) -> {
                    if (failure != null) {
                        sent.cancel(true); // past the deadline: stop reading, free the connection
                        Throwable cause = Failures.cause(failure);
                        return unavailable(failedCallHint(cause), fingerprint, cause);
                    }
                    return judge(response, fingerprint, credentialId);
                });
    }

    /** Only a 200's body is read; any other answer's body is discarded unread. */
    private static HttpResponse.BodySubscriber<byte[]> bodyIfOk(HttpResponse.ResponseInfo info) {
        return info.statusCode() == 200
                ? HttpResponse.BodySubscribers.ofByteArray()
                : HttpResponse.BodySubscribers.replacing(null);
    }

    /** The verdict on an answer; an answer that is no user and no refusal is logged as an outage. */
    private Verdict judge(HttpResponse<byte[]> response, String fingerprint, String credentialId) {
        Verdict v = answers.verdict(response.statusCode(), response.body(), credentialId);
        if (!v.isAccepted() && v.refusal().code() == RefusalCode.BACKEND_UNAVAILABLE) {
            logOutage(v.refusal().hint(), fingerprint, null);
        }
        return v;
    }

    /** Caches what will be the same answer next time: users and TOKEN_INVALID, not outages. */
    private void remember(String key, Verdict v) {
        Instant now = clock.instant();
        if (v.isAccepted()) {
            Instant until = now.plus(config.cacheTtl());
            Instant exp = v.principal().expiresAt();
            cache.put(key, v, exp != null && exp.isBefore(until) ? exp : until);
        } else if (v.refusal().code() == RefusalCode.TOKEN_INVALID) {
            cache.put(key, v, now.plus(config.negativeCacheTtl()));
        }
    }

    private String failedCallHint(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException || failure instanceof ConnectException) {
            return "auth.introspection.url could not be reached; back off and retry";
        }
        if (failure instanceof HttpTimeoutException || failure instanceof TimeoutException) {
            return "auth.introspection.url did not answer within "
                    + config.timeout().toMillis() + " ms (auth.introspection.timeout); back off and retry";
        }
        return "The call to auth.introspection.url failed; back off and retry";
    }

    private Verdict unavailable(String hint, String fingerprint, Throwable cause) {
        logOutage(hint, fingerprint, cause);
        return Verdict.refused(RefusalCode.BACKEND_UNAVAILABLE.refusal(hint));
    }

    /** At WARN at most every {@link #WARN_INTERVAL}, else at DEBUG: an outage must not flood the log. */
    private void logOutage(String hint, String fingerprint, Throwable cause) {
        long now = clock.millis();
        long last = lastWarnMillis.get();
        String detail = cause == null ? "" : " (" + cause + ")";
        if ((last == Long.MIN_VALUE || now - last >= WARN_INTERVAL.toMillis())
                && lastWarnMillis.compareAndSet(last, now)) {
            LOG.warn(
                    "introspection at {} unavailable: {}{}; token fingerprint {}",
                    loggableUrl,
                    hint,
                    detail,
                    fingerprint);
        } else {
            LOG.debug(
                    "introspection at {} unavailable: {}{}; token fingerprint {}",
                    loggableUrl,
                    hint,
                    detail,
                    fingerprint);
        }
    }
}
