package io.gatehouse.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import io.gatehouse.http.BoundedBody;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RS256 and ES256 keys of a token issuer, fetched from its JWKS URL ({@code auth.jwt.jwks_url})
 * with a non-blocking HTTP client and cached for {@code auth.jwt.jwks_cache_ttl}.
 *
 * <p>Nothing here blocks: a fetch is a {@link CompletionStage} that completes on the HTTP
 * client's threads. Callers that need keys at the same moment share one fetch. A stage from this
 * class never fails: a failed fetch completes it with the last good keys (empty when no fetch ever
 * succeeded), so a JWKS outage does not lock out tokens whose keys are already known.
 *
 * <p>Keys of other types, curves or algorithms, keys marked {@code use: enc} and RSA keys under
 * 2048 bits are ignored; a set with no usable key counts as a failed fetch.
 */
public final class JwksKeySource {
    private static final Logger LOG = LoggerFactory.getLogger(JwksKeySource.class);

    /**
     * An unknown {@code kid} refetches the set at most this often, so a stream of tokens with
     * made-up kids cannot turn the gateway into a load generator against the issuer (one request
     * a second at most). A token whose kid is unknown within this interval of the last such
     * refetch is not refused: it waits for the next one, which every unknown kid until then
     * shares. So a flood of made-up kids delays a real key rotation by this interval at most,
     * instead of locking its new kid out. Fetches for an empty or expired cache are not counted:
     * they are bounded by the cache TTL and {@link #RETRY_AFTER_FAILURE}.
     */
    static final Duration UNKNOWN_KID_REFETCH_INTERVAL = Duration.ofSeconds(1);
    /** After a failed fetch, the next waits this long; verifications meanwhile use the cached keys. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** A JWK set is a few KiB; anything past this is not one. */
    static final int MAX_BODY_BYTES = 1024 * 1024; // 1 MiB

    private final URI url;
    private final Duration cacheTtl;
    private final HttpClient http;
    private final Clock clock;

    // Guarded by this.
    private VerificationKeys keys = VerificationKeys.NONE; // from the last successful fetch
    private Instant fetchedAt; // of the last successful fetch; null before the first
    private Instant failedAt; // of the last failed fetch, cleared by a success
    private Instant lastUnknownKidFetch;
    private CompletableFuture<VerificationKeys> inFlight;
    /** The next unknown-kid refetch, waiting for the end of {@link #UNKNOWN_KID_REFETCH_INTERVAL}; null when none. */
    private CompletableFuture<VerificationKeys> nextUnknownKidFetch;

    public JwksKeySource(URI url, Duration cacheTtl, HttpClient http, Clock clock) {
        this.url = url;
        this.cacheTtl = cacheTtl;
        this.http = http;
        this.clock = clock;
    }

    /** A source with its own HTTP client (daemon threads, connect timeout {@link #FETCH_TIMEOUT}). */
    public static JwksKeySource forUrl(URI url, Duration cacheTtl, Clock clock) {
        HttpClient http = HttpClient.newBuilder()
                // HTTP/1.1: over plain http the JDK client's default HTTP/2 sends an h2c upgrade,
                // which some servers (uvicorn before 0.19) answer with 400.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(FETCH_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        return new JwksKeySource(url, cacheTtl, http, clock);
    }

    /** The keys of a successful fetch younger than the cache TTL; empty when there is none. */
    synchronized Optional<VerificationKeys> freshKeys() {
        if (fetchedAt == null || !clock.instant().isBefore(fetchedAt.plus(cacheTtl))) {
            return Optional.empty();
        }
        return Optional.of(keys);
    }

    /**
     * Fetches the set because the cache is empty or expired, or joins the fetch under way. Within
     * {@link #RETRY_AFTER_FAILURE} of a failed fetch, completes at once with the cached keys.
     */
    synchronized CompletionStage<VerificationKeys> refresh() {
        if (inFlight != null) {
            return inFlight;
        }
        if (failedAt != null && clock.instant().isBefore(failedAt.plus(RETRY_AFTER_FAILURE))) {
            return CompletableFuture.completedFuture(keys);
        }
        return start();
    }

    /**
     * Fetches the set because a token names a {@code kid} the cache lacks (the issuer may have
     * rotated its keys), or joins the fetch under way. Within {@link #UNKNOWN_KID_REFETCH_INTERVAL}
     * of the last such refetch, joins the next one, which starts when the interval ends.
     */
    synchronized CompletionStage<VerificationKeys> refreshForUnknownKid(String kid) {
        if (inFlight != null) {
            // That fetch was sent before this token arrived: a key published since may not be in it.
            // If the kid is still unknown then, the token waits for the next refetch (at most one more).
            return inFlight.thenCompose(keys -> kid == null || keys.hasKeyId(kid)
                    ? CompletableFuture.completedFuture(keys)
                    : nextUnknownKidRefetch());
        }
        return nextUnknownKidRefetch();
    }

    /** The next refetch for unknown kids: now, or when {@link #UNKNOWN_KID_REFETCH_INTERVAL} has passed. */
    private synchronized CompletionStage<VerificationKeys> nextUnknownKidRefetch() {
        if (nextUnknownKidFetch != null) {
            return nextUnknownKidFetch;
        }
        Instant now = clock.instant();
        Instant allowed = lastUnknownKidFetch == null ? now : lastUnknownKidFetch.plus(UNKNOWN_KID_REFETCH_INTERVAL);
        if (!now.isBefore(allowed) && inFlight == null) {
            lastUnknownKidFetch = now;
            return start();
        }
        CompletableFuture<VerificationKeys> next = new CompletableFuture<>();
        nextUnknownKidFetch = next;
        long waitMillis = Math.max(1, Duration.between(now, allowed).toMillis());
        CompletableFuture.delayedExecutor(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> {
                    CompletableFuture<VerificationKeys> fetch;
                    synchronized (this) {
                        nextUnknownKidFetch = null;
                        lastUnknownKidFetch = clock.instant();
                        fetch = inFlight != null ? inFlight : start();
                    }
                    fetch.whenComplete((keys, failure) -> next.complete(keys)); // fetches never fail
                });
        return next;
    }

    // Called with the lock held.
    private CompletableFuture<VerificationKeys> start() {
        CompletableFuture<VerificationKeys> fetch = new CompletableFuture<>();
        inFlight = fetch;
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(FETCH_TIMEOUT)
                .header("Accept", "application/jwk-set+json, application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> response;
        try {
            response = http.sendAsync(request, info -> new BoundedBody(MAX_BODY_BYTES));
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        // The HTTP client runs this on its own threads; finish completes the shared stage outside the lock.
        response.whenComplete((r, failure) -> {
            if (failure != null) {
                finish(fetch, null, describe(failure));
                return;
            }
            try {
                finish(fetch, parse(r), null);
            } catch (UnusableSet e) {
                finish(fetch, null, e.getMessage());
            }
        });
        return fetch;
    }

    private void finish(CompletableFuture<VerificationKeys> fetch, VerificationKeys fetched, String problem) {
        VerificationKeys result;
        Instant lastGood;
        synchronized (this) {
            if (inFlight == fetch) {
                inFlight = null;
            }
            Instant now = clock.instant();
            if (fetched != null) {
                keys = fetched;
                fetchedAt = now;
                failedAt = null;
            } else {
                failedAt = now;
            }
            result = keys;
            lastGood = fetchedAt;
        }
        if (problem != null) {
            LOG.warn(
                    "JWKS fetch from {} (auth.jwt.jwks_url) failed: {}; {}",
                    url,
                    problem,
                    lastGood == null
                            ? "no keys are cached, so tokens that need them are refused with BACKEND_UNAVAILABLE"
                            : "still using the " + result.size() + " keys fetched at " + lastGood);
        } else {
            LOG.debug("JWKS fetched from {}: {}", url, result);
        }
        fetch.complete(result);
    }

    private VerificationKeys parse(HttpResponse<byte[]> response) throws UnusableSet {
        if (response.statusCode() != 200) {
            throw new UnusableSet("HTTP " + response.statusCode());
        }
        JWKSet set;
        try {
            set = JWKSet.parse(new String(response.body(), StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new UnusableSet("the body is not a JWK set (" + e.getMessage() + ")");
        }
        List<VerificationKeys.Entry> usable = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            PublicKey key = signatureKey(jwk);
            if (key != null) {
                usable.add(new VerificationKeys.Entry(jwk.getKeyID(), key));
            }
        }
        if (usable.isEmpty()) {
            throw new UnusableSet("the set holds no RS256 or ES256 signing key (RSA of 2048 bits or more, EC P-256)");
        }
        return VerificationKeys.of(usable);
    }

    /** The public key of an RS256 or ES256 signing JWK; null for any other key. */
    private static PublicKey signatureKey(JWK jwk) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            return null;
        }
        try {
            PublicKey key;
            if (jwk instanceof RSAKey rsa && fits(jwk, JWSAlgorithm.RS256)) {
                key = rsa.toRSAPublicKey();
            } else if (jwk instanceof ECKey ec && fits(jwk, JWSAlgorithm.ES256)) {
                key = ec.toECPublicKey();
            } else {
                return null;
            }
            return PublicKeys.unsuitable(key) == null ? key : null;
        } catch (JOSEException e) {
            return null;
        }
    }

    private static boolean fits(JWK jwk, JWSAlgorithm alg) {
        return jwk.getAlgorithm() == null || alg.equals(jwk.getAlgorithm());
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause()
                : failure;
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : " " + cause.getMessage());
    }

    /** A response that is not a usable JWK set. */
    private static final class UnusableSet extends Exception {
        private static final long serialVersionUID = 1L;

        UnusableSet(String message) {
            super(message, null, false, false);
        }
    }
}
