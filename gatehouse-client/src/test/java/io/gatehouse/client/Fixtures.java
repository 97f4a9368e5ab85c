package io.gatehouse.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/** What the end-to-end tests share: generous waits (two busy cores), tokens, the server's HTTP API. */
final class Fixtures {
    /** Long enough for a slow machine; the tests assert lower bounds, never tight windows. */
    static final Duration WAIT = Duration.ofSeconds(30);

    private Fixtures() {}

    static ConditionFactory eventually() {
        return Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50));
    }

    static ClientOptions.Builder options(URI ws, TokenProvider tokens, ClientListener listener) {
        return ClientOptions.builder().url(ws).tokenProvider(tokens).listener(listener);
    }

    /** A user id no other test uses. */
    static String unique(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static String jwt(String user) {
        return Jwts.hs256For(user);
    }

    static String jwtExpiringIn(String user, Duration d) {
        return Jwts.hs256(
                Jwts.claims(user).expirationTime(Date.from(Instant.now().plus(d))));
    }

    /** {@code POST /api/v1/publish}; the reply's {@code {channel, offset, epoch}}. */
    static JsonNode publish(TestGatehouse server, String apiKey, String channel, String dataJson) {
        TestGatehouse.Reply r = server.post(
                "/api/v1/publish",
                "{\"channel\":\"" + channel + "\",\"data\":" + dataJson + "}",
                "Authorization",
                "apikey " + apiKey);
        assertThat(r.status()).as("publish %s", r.body()).isEqualTo(200);
        return r.body();
    }

    /** The access-log rows matching {@code query} ({@code user=...}, {@code outcome=...}), newest first. */
    static List<JsonNode> accessLog(TestGatehouse server, String adminKey, String query) {
        TestGatehouse.Reply r =
                server.get("/api/v1/access-log?limit=1000&" + query, "Authorization", "apikey " + adminKey);
        assertThat(r.status()).isEqualTo(200);
        List<JsonNode> rows = new ArrayList<>();
        r.body().path("entries").forEach(rows::add);
        return rows;
    }

    /** How many live connections the server holds for {@code user} ({@code GET /api/v1/connections}). */
    static int connections(TestGatehouse server, String adminKey, String user) {
        TestGatehouse.Reply r = server.get("/api/v1/connections?user=" + user, "Authorization", "apikey " + adminKey);
        assertThat(r.status()).isEqualTo(200);
        return r.body().path("connections").size();
    }

    /** The access log's token fingerprint: the first 8 hex of the token's SHA-256. */
    static String fingerprint(String token) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash).substring(0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
