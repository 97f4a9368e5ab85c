package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.testing.BrowserSession;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 10 point 4, one id per identity source: four sources present the same raw id (a local
 * user, the application's JWT issuer A, a second issuer B, introspection), and every effect that
 * is keyed by a user id reaches exactly the one source it names. Each (source, effect) cell is one
 * test case.
 */
class IdentitySourceMatrixTest {
    static final String ISSUER_A = "https://a.example";
    static final String ISSUER_B = "https://b.example/tenant";
    static final String PASSWORD = "matrix-password-1";
    static final AtomicInteger RUN = new AtomicInteger();

    static IntrospectionBackend backend;
    static TestGatehouse server;
    static String adminKey;

    /** The four identity sources of the matrix. */
    enum Source {
        LOCAL,
        JWT_ISSUER_A,
        JWT_ISSUER_B,
        INTROSPECTION;

        /** The id the server gives a user of this source whose raw id is {@code raw}. */
        String id(String raw) {
            return switch (this) {
                case LOCAL -> "local:" + raw;
                case JWT_ISSUER_A -> raw; // the primary source keeps the application's ids
                case JWT_ISSUER_B -> "jwt:partner:" + raw;
                case INTROSPECTION -> "introspection:" + raw;
            };
        }
    }

    /** A credential of one source: a bearer token, or a local user's cookie session. */
    record Cred(Source source, String bearer, BrowserSession session) {
        /** Every socket names the same client instance: a second socket of one credential is its duplicate. */
        WsRecorder connect() {
            return session == null
                    ? WsRecorder.connect(server.ws("instance=page-1"), "Authorization", "Bearer " + bearer)
                    : WsRecorder.connect(
                            java.net.URI.create(session.ws(server) + "&instance=page-1"),
                            "Cookie",
                            session.cookieHeader(),
                            "Origin",
                            BrowserSession.ownOrigin(server));
        }

        WsRecorder open() {
            WsRecorder ws = connect();
            assertThat(ws.awaitEstablished().path("user").path("id").asText()).isNotEmpty();
            return ws;
        }

        String[] headers() {
            return session == null
                    ? new String[] {"Authorization", "Bearer " + bearer}
                    : new String[] {
                        "Cookie",
                        session.cookieHeader(),
                        "X-CSRF-Token",
                        session.csrf(),
                        "Origin",
                        BrowserSession.ownOrigin(server)
                    };
        }
    }

    @BeforeAll
    static void start() {
        backend = IntrospectionBackend.start();
        server = new TestGatehouse()
                .with("auth.jwt.issuer", ISSUER_A)
                .with("auth.jwt.other_issuers", List.of("partner=" + ISSUER_B))
                .with("auth.introspection.url", backend.url())
                .with("limits.connections_per_user", 2)
                .start();
        adminKey = server.apiKey("publish", "admin");
    }

    @AfterAll
    static void stop() {
        server.close();
        backend.close();
    }

    /** A raw id no other test uses, with a local user of that name. */
    static String freshId() {
        String raw = "dave" + RUN.incrementAndGet();
        server.user(raw, PASSWORD, false);
        return raw;
    }

    /** A new credential of {@code source} for {@code raw}; each call a different one. */
    static Cred credential(Source source, String raw) {
        return switch (source) {
            case LOCAL -> new Cred(source, null, BrowserSession.login(server, raw, PASSWORD));
            case JWT_ISSUER_A -> new Cred(source, Jwts.hs256(Jwts.claims(raw).issuer(ISSUER_A)), null);
            case JWT_ISSUER_B -> new Cred(source, Jwts.hs256(Jwts.claims(raw).issuer(ISSUER_B)), null);
            case INTROSPECTION -> {
                String token = "drf-" + UUID.randomUUID();
                backend.answer(token, 200, "{\"id\":\"" + raw + "\"}");
                yield new Cred(source, token, null);
            }
        };
    }

    static Map<Source, Cred> everySource(String raw) {
        Map<Source, Cred> creds = new EnumMap<>(Source.class);
        for (Source s : Source.values()) {
            creds.put(s, credential(s, raw));
        }
        return creds;
    }

    /** One live connection per source, each checked to carry its own id. */
    static Map<Source, WsRecorder> connectAll(Map<Source, Cred> creds, String raw) {
        Map<Source, WsRecorder> open = new EnumMap<>(Source.class);
        creds.forEach((s, c) -> {
            WsRecorder ws = c.open();
            assertThat(ws.established().path("user").path("id").asText())
                    .as(s.name())
                    .isEqualTo(s.id(raw));
            open.put(s, ws);
        });
        return open;
    }

    static void closeAll(Map<Source, WsRecorder> open) {
        open.values().forEach(WsRecorder::close);
    }

    @ParameterizedTest(name = "{0}: lists and revokes only its own tokens")
    @EnumSource(Source.class)
    void tokensApi(Source source) {
        String raw = freshId();
        Map<Source, Cred> creds = everySource(raw);
        Map<Source, String> prefixes = new EnumMap<>(Source.class);
        creds.forEach((s, c) -> {
            TestGatehouse.Reply minted = server.post("/api/v1/tokens", "{}", c.headers());
            assertThat(minted.status()).as(s.name()).isEqualTo(201);
            prefixes.put(s, minted.body().path("prefix").asText());
        });
        Cred mine = creds.get(source);
        List<String> listed = new ArrayList<>();
        server.get("/api/v1/tokens", mine.headers())
                .body()
                .path("tokens")
                .forEach(t -> listed.add(t.path("prefix").asText()));
        assertThat(listed).containsExactly(prefixes.get(source));
        for (Source other : Source.values()) {
            if (other != source) {
                assertThat(server.delete("/api/v1/tokens/" + prefixes.get(other), mine.headers())
                                .status())
                        .as("revoking the token of " + other)
                        .isEqualTo(404);
            }
        }
        assertThat(server.delete("/api/v1/tokens/" + prefixes.get(source), mine.headers())
                        .status())
                .isEqualTo(200);
        for (Source other : Source.values()) {
            if (other != source) {
                assertThat(server.get("/api/v1/tokens", creds.get(other).headers())
                                .body()
                                .path("tokens"))
                        .as(other.name())
                        .hasSize(1);
            }
        }
    }

    @ParameterizedTest(name = "{0}: its personal channel reaches only it")
    @EnumSource(Source.class)
    void personalChannel(Source source) {
        String raw = freshId();
        Map<Source, WsRecorder> open = connectAll(everySource(raw), raw);
        try {
            server.publishToUser(source.id(raw), "{\"for\":\"" + source + "\"}"); // fails unless 200
            JsonNode got = open.get(source).awaitType("message");
            assertThat(got.path("channel").asText()).isEqualTo("#" + source.id(raw));
            assertThat(got.path("data").path("for").asText()).isEqualTo(source.name());
            open.forEach((s, ws) -> {
                if (s != source) {
                    ws.assertQuiet(Duration.ofMillis(300));
                }
            });
        } finally {
            closeAll(open);
        }
    }

    @ParameterizedTest(name = "{0}: disconnect (and user remove) closes only it")
    @EnumSource(Source.class)
    void disconnect(Source source) {
        String raw = freshId();
        Map<Source, WsRecorder> open = connectAll(everySource(raw), raw);
        try {
            if (source == Source.LOCAL) {
                server.cli("user", "remove", raw);
                assertThat(open.get(source).awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_REVOKED"));
            } else {
                String path =
                        "/api/v1/users/" + URLEncoder.encode(source.id(raw), StandardCharsets.UTF_8) + "/disconnect";
                assertThat(server.post(path, "{}", "Authorization", "apikey " + adminKey)
                                .status())
                        .isEqualTo(200);
                assertThat(open.get(source).awaitClose()).isEqualTo(new WsRecorder.Close(4410, "DISCONNECTED"));
            }
            open.forEach((s, ws) -> {
                if (s != source) {
                    ws.assertAlive(s.name());
                }
            });
        } finally {
            closeAll(open);
        }
    }

    @ParameterizedTest(name = "{0}: connections_per_user counts only its connections")
    @EnumSource(Source.class)
    void connectionsPerUser(Source source) {
        String raw = freshId();
        Map<Source, WsRecorder> open = connectAll(everySource(raw), raw); // one each; the limit is 2
        try (WsRecorder second = credential(source, raw).open();
                WsRecorder third = credential(source, raw).connect()) {
            assertThat(third.awaitClose())
                    .isEqualTo(new WsRecorder.Close(4429, "TOO_MANY_CONNECTIONS retry_after_ms=5000"));
            second.assertAlive("the second connection");
            open.forEach((s, ws) -> ws.assertAlive(s.name()));
        } finally {
            closeAll(open);
        }
    }

    @ParameterizedTest(name = "{0}: a duplicate replaces only its own connection")
    @EnumSource(Source.class)
    void duplicates(Source source) {
        String raw = freshId();
        Map<Source, Cred> creds = everySource(raw);
        Map<Source, WsRecorder> open = connectAll(creds, raw);
        try (WsRecorder again = creds.get(source).open()) { // limits.duplicate_session_policy: replace
            assertThat(open.get(source).awaitClose()).isEqualTo(new WsRecorder.Close(4409, "CONNECTION_REPLACED"));
            again.assertAlive("the newer connection");
            open.forEach((s, ws) -> {
                if (s != source) {
                    ws.assertAlive(s.name());
                }
            });
        } finally {
            closeAll(open);
        }
    }
}
