package io.gatehouse.auth;

import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.store.ApiKeyRecord;
import io.gatehouse.store.ApiKeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Checks {@code Authorization: apikey <key>} on the server API. A key's record is read from the
 * store on the blocking executor and then used for {@link #KEPT} without reading it again, so a
 * backend publishing all the time is checked on the event loop (one SHA-256) and its answer does
 * not wait for a thread and the database: a key revoked with {@code gatehouse apikey revoke} is
 * refused within that time. Only records the store has are kept, so unknown keys take no memory.
 */
public final class ApiKeyVerifier {
    public static final String KIND = "ghk_";
    private static final String SCHEME = "apikey ";
    /** How long a record read from the store is used before it is read again. */
    public static final Duration KEPT = Duration.ofSeconds(1);

    private record Kept(ApiKeyRecord key, long readAtNanos) {}

    /** The outcome: the key's name when accepted, or the refusal. */
    public record ApiKeyVerdict(String keyName, Refusal refusal) {
        public boolean isAccepted() {
            return refusal == null;
        }
    }

    private final ApiKeyStore keys;
    private final Executor blocking;
    private final ConcurrentHashMap<String, Kept> kept = new ConcurrentHashMap<>();

    public ApiKeyVerifier(ApiKeyStore keys, Executor blocking) {
        this.keys = keys;
        this.blocking = blocking;
    }

    public CompletionStage<ApiKeyVerdict> verify(String authorization, ApiScope needed) {
        if (authorization == null || authorization.isBlank()) {
            return refused(RefusalCode.TOKEN_MISSING.refusal(
                    "The server API needs Authorization: apikey <key> (gatehouse apikey create)"));
        }
        if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return refused(RefusalCode.TOKEN_INVALID.refusal(
                    "The server API needs Authorization: apikey <key>, not another scheme"));
        }
        String key = authorization.substring(SCHEME.length()).trim();
        Optional<String> prefix = SecretToken.prefixOf(key, KIND);
        if (prefix.isEmpty()) {
            return refused(RefusalCode.TOKEN_INVALID.refusal("Malformed API key; keys look like ghk_..."));
        }
        Kept k = kept.get(prefix.get());
        if (k != null && System.nanoTime() - k.readAtNanos() < KEPT.toNanos()) {
            return CompletableFuture.completedFuture(check(key, Optional.of(k.key()), needed));
        }
        return CompletableFuture.supplyAsync(() -> check(key, read(prefix.get()), needed), blocking);
    }

    private Optional<ApiKeyRecord> read(String prefix) {
        long at = System.nanoTime();
        Optional<ApiKeyRecord> found = keys.findByPrefix(prefix);
        found.ifPresentOrElse(r -> kept.put(prefix, new Kept(r, at)), () -> kept.remove(prefix));
        return found;
    }

    private static ApiKeyVerdict check(String key, Optional<ApiKeyRecord> found, ApiScope needed) {
        if (found.isEmpty()
                || !SecretToken.matches(key, found.get().hash())
                || found.get().revokedAt() != null) {
            return new ApiKeyVerdict(null, RefusalCode.TOKEN_INVALID.refusal("Unknown or revoked API key"));
        }
        ApiKeyRecord k = found.get();
        List<ApiScope> scopes = k.scopes().stream()
                .map(ApiScope::fromWire)
                .flatMap(Optional::stream)
                .toList();
        if (!needed.isGrantedBy(scopes)) {
            return new ApiKeyVerdict(
                    k.name(),
                    RefusalCode.PERMISSION_DENIED.refusal("This API key lacks the " + needed.wireName() + " scope"));
        }
        return new ApiKeyVerdict(k.name(), null);
    }

    private static CompletionStage<ApiKeyVerdict> refused(Refusal r) {
        return CompletableFuture.completedFuture(new ApiKeyVerdict(null, r));
    }
}
