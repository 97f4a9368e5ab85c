package io.gatehouse.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gatehouse.client.CredentialCarrier;
import io.gatehouse.protocol.Refusal;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.Subprotocols;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One upgrade request (docs/protocol.md, "Credentials"): the URL with the client's {@code instance}
 * id (SPEC §7) and, for the query carrier, the token; the {@code Authorization} header or the
 * {@code gatehouse.bearer.} subprotocol for those carriers. Also reads an HTTP refusal that came
 * instead of the upgrade (429 RATE_LIMITED, 503 SERVER_SHUTTING_DOWN, 403 ORIGIN_NOT_ALLOWED).
 */
final class Upgrade {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Upgrade() {}

    /** Opens the WebSocket; the future fails as {@link #refusalOf} reads it. */
    static CompletableFuture<WebSocket> open(
            HttpClient http,
            URI url,
            CredentialCarrier carrier,
            String token,
            String instanceId,
            Duration timeout,
            WebSocket.Listener listener) {
        try {
            WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(timeout);
            URI uri = withParameter(url, "instance", instanceId);
            switch (carrier) {
                case AUTHORIZATION_HEADER -> b.header("Authorization", "Bearer " + token);
                case SUBPROTOCOL -> b.subprotocols(Subprotocols.V1, Subprotocols.BEARER_PREFIX + token);
                case QUERY -> uri = withParameter(uri, "token", token);
                case AUTH_MESSAGE -> {} // sent as the first message once open
            }
            return b.buildAsync(uri, listener);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e); // read by refusalOf, which never repeats its message
        }
    }

    /** The hint for a token that the JDK will not put in a header or subprotocol. */
    static final String UNCARRIABLE_TOKEN =
            "The token has characters this credential carrier cannot carry; choose another carrier";

    static URI withParameter(URI url, String name, String value) {
        String pair = name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
        String query = url.getRawQuery() == null ? pair : url.getRawQuery() + "&" + pair;
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        return URI.create(url.getScheme() + "://" + url.getRawAuthority() + path + "?" + query);
    }

    /**
     * The refusal behind a failed upgrade: the {@code code} (and {@code retry_after_ms}) of an HTTP
     * refusal body, else the status's own reading; BAD_REQUEST when the token cannot travel by the
     * chosen carrier; null when there was no HTTP answer (the network).
     */
    static Refusal refusalOf(Throwable failure) {
        Throwable t = unwrap(failure);
        if (t instanceof IllegalArgumentException) {
            // The JDK's message may quote the token. Retrying cannot help: stop.
            return RefusalCode.BAD_REQUEST.refusal(UNCARRIABLE_TOKEN);
        }
        if (!(t instanceof WebSocketHandshakeException h)) {
            return null;
        }
        HttpResponse<?> response = h.getResponse();
        long retryAfter = response.headers()
                .firstValue("Retry-After")
                .map(Upgrade::seconds)
                .orElse(0L);
        if (response.body() instanceof String body && !body.isBlank()) {
            try {
                JsonNode n = JSON.readTree(body);
                var code = RefusalCode.fromName(n.path("code").asText(""));
                if (code.isPresent()) {
                    long ms = n.path("retry_after_ms").asLong(retryAfter);
                    return new Refusal(code.get(), n.path("hint").asText(null), ms);
                }
            } catch (Exception e) {
                // not a Gatehouse body: read the status below
            }
        }
        return switch (response.statusCode()) {
            case 429 -> RefusalCode.RATE_LIMITED.refusal().retryAfter(retryAfter);
            case 503 -> RefusalCode.SERVER_SHUTTING_DOWN.refusal().retryAfter(retryAfter);
            default -> null;
        };
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static long seconds(String header) {
        try {
            return Math.max(0, Long.parseLong(header.trim()) * 1000);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
