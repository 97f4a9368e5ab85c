package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.testing.TestGatehouse;
import io.gatehouse.testing.WsRecorder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Correctly signed JWTs whose claims have a shape Nimbus lets through (JSON null where a date or
 * a string is expected) are refused with 4401 TOKEN_INVALID like any malformed claim. Found by
 * JwtVerifierFuzzTest#signedClaims (inputs exp-null, aud-with-null, header-json-null): the
 * verifier threw NullPointerException, so the handshake was dropped without a close code and GET
 * /api/v1/auth/verify failed. A header of JSON null needs no signature to get there.
 */
class JwtClaimShapeTest {
    @RegisterExtension
    static final TestGatehouse server = new TestGatehouse();

    @RegisterExtension
    static final TestGatehouse withAudience = new TestGatehouse().with("auth.jwt.audience", "gatehouse");

    private static String hs256(String claimsJson) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString("{\"alg\":\"HS256\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claimsJson.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestGatehouse.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"\"exp\":null", "\"exp\":EXP,\"roles\":[\"a\",null]", "\"exp\":EXP,\"channels\":[null]"})
    void nullWhereAValueBelongsIsTokenInvalid(String claims) throws Exception {
        String exp = Long.toString(Instant.now().getEpochSecond() + 3600);
        String token = hs256("{\"sub\":\"u1\"," + claims.replace("EXP", exp) + "}");
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
    }

    @org.junit.jupiter.api.Test
    void anAudienceListHoldingNullIsTokenInvalidWhenAnAudienceIsRequired() throws Exception {
        String exp = Long.toString(Instant.now().getEpochSecond() + 3600);
        String token = hs256("{\"sub\":\"u1\",\"exp\":" + exp + ",\"aud\":[null]}");
        try (WsRecorder ws = WsRecorder.connect(withAudience.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        TestGatehouse.Reply verify = withAudience.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
    }

    /** Before any key is tried: needs no secret at all. */
    @org.junit.jupiter.api.Test
    void aHeaderOfJsonNullIsTokenInvalid() {
        String token = "bnVsbA.eyJzdWIiOiJ1MSJ9.c2ln"; // base64url("null") . {"sub":"u1"} . "sig"
        try (WsRecorder ws = WsRecorder.connect(server.ws(), "Authorization", "Bearer " + token)) {
            assertThat(ws.awaitClose()).isEqualTo(new WsRecorder.Close(4401, "TOKEN_INVALID"));
        }
        TestGatehouse.Reply verify = server.get("/api/v1/auth/verify", "Authorization", "Bearer " + token);
        assertThat(verify.status()).isEqualTo(401);
        assertThat(verify.body().path("code").asText()).isEqualTo("TOKEN_INVALID");
    }
}
