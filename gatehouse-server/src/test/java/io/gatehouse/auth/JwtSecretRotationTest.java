package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.SignedJWT;
import io.gatehouse.config.ConfigException;
import io.gatehouse.config.ConfigKey;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rotating the HS256 secret without downtime (auth.jwt.secrets; docs/configuration.md): with the
 * new and the old secret listed, tokens of both are accepted and connections on both stay; the new
 * one signs what Gatehouse mints; once the old one is removed its tokens are refused.
 */
class JwtSecretRotationTest {
    static final String OLD = "the-old-hs256-secret-that-is-32-bytes-long!";
    static final String NEW = "the-new-hs256-secret-that-is-32-bytes-long!";

    static String token(String user, String secret, String keyId) throws Exception {
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keyId).build(),
                Jwts.claims(user).build());
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }

    static TestGatehouse server(List<String> secrets) {
        return new TestGatehouse()
                .with(ConfigKey.AUTH_JWT_SECRET.key(), "")
                .with(ConfigKey.AUTH_JWT_SECRETS.key(), secrets);
    }

    @Test
    void duringARotationConnectionsOnTheOldAndTheNewSecretStayOpenAndTheNewSigns() throws Exception {
        try (TestGatehouse during = server(List.of("k2=" + NEW, "k1=" + OLD)).start();
                WsRecorder onOld = during.connectWith(token("alice", OLD, "k1"));
                WsRecorder onNew = during.connectWith(token("bob", NEW, "k2"));
                WsRecorder noKid =
                        during.connectWith(Jwts.hs256(Jwts.claims("carol"), OLD.getBytes(StandardCharsets.UTF_8)))) {
            for (WsRecorder ws : List.of(onOld, onNew, noKid)) {
                ws.subscribe("news");
            }
            during.publish("news", "{\"n\":1}");
            for (WsRecorder ws : List.of(onOld, onNew, noKid)) {
                assertThat(ws.awaitType("message").path("data").path("n").asInt())
                        .isEqualTo(1);
            }
            // A connection on the old secret refreshes onto the new one and stays.
            onOld.send("{\"type\":\"refresh\",\"id\":1,\"token\":\"" + token("alice", NEW, "k2") + "\"}");
            assertThat(onOld.awaitType("refreshed").path("id").asInt()).isEqualTo(1);

            during.user("dora", "a-password-for-dora-only", false);
            String jwt = during.cli("token", "create", "--user", "dora", "--type", "jwt");
            assertThat(SignedJWT.parse(jwt).getHeader().getKeyID())
                    .as("the newest secret signs")
                    .isEqualTo("k2");
            assertThat(SignedJWT.parse(jwt)
                            .verify(new com.nimbusds.jose.crypto.MACVerifier(NEW.getBytes(StandardCharsets.UTF_8))))
                    .isTrue();
            during.connectWith(jwt).close();

            // A token naming a key id it was not signed with is refused.
            assertRefused(during, token("mallory", OLD, "k2"));
        }
        try (TestGatehouse after = server(List.of("k2=" + NEW)).start()) {
            after.connectWith(token("bob", NEW, "k2")).close();
            assertRefused(after, token("alice", OLD, "k1"));
        }
    }

    static void assertRefused(TestGatehouse server, String token) {
        assertThatThrownBy(() -> server.connectWith(token)).hasMessageContaining("code=4401, reason=TOKEN_INVALID");
    }

    @Test
    void badSecretListsStopTheServerNamingTheKeyWithoutShowingASecret() {
        for (List<String> bad :
                List.of(List.of("no-equals-sign-" + OLD), List.of("k1=short"), List.of("k1=" + OLD, "k1=" + NEW))) {
            assertThatThrownBy(() -> server(bad).start())
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("auth.jwt.secrets")
                    .hasMessageNotContaining(OLD)
                    .hasMessageNotContaining("short'");
        }
        assertThatThrownBy(() -> new TestGatehouse()
                        .with(ConfigKey.AUTH_JWT_SECRETS.key(), List.of("k1=" + OLD))
                        .start())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not both");
    }
}
