package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.gatehouse.auth.Credential;
import io.gatehouse.auth.CredentialCarrier;
import io.gatehouse.auth.CredentialExtractor;
import io.gatehouse.auth.Sessions;
import io.gatehouse.protocol.RefusalCode;
import io.gatehouse.protocol.Subprotocols;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes {@link CredentialExtractor} through the {@link NettyAuthRequest} the upgrade handler gives
 * it: a request with a fuzzed URI (query) and fuzzed Authorization, Sec-WebSocket-Protocol, Cookie
 * and X-CSRF-Token headers, built with the header validation of Netty's request decoder.
 * Invariants: the answer is exactly one of nothing, a credential or a TOKEN_INVALID refusal; the
 * carrier follows the precedence of SPEC §2; a credential's token is non-empty and came from its
 * carrier; its toString never shows the token. See docs/fuzzing.md.
 */
class CredentialExtractorFuzzTest {
    private static final String[] HEADERS = {
        "Authorization", "Sec-WebSocket-Protocol", "Cookie", Sessions.CSRF_HEADER, "Origin", "Host"
    };
    private static final String[] VALUE_PREFIXES = {
        "",
        "Bearer ",
        "bearer ",
        "BEARER  ",
        "Basic ",
        "gatehouse.v1, gatehouse.bearer.",
        "gatehouse.bearer.",
        "gh_session=",
        "a=b; gh_session=\"",
        " gh_session = "
    };

    @FuzzTest(maxDuration = "5m")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void extract(FuzzedDataProvider data) {
        boolean allowQuery = data.consumeBoolean();
        boolean sessions = data.consumeBoolean();
        String uri = data.consumeString(200);
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().newHeaders();
        int count = data.consumeInt(0, 8);
        for (int i = 0; i < count; i++) {
            String name = data.consumeBoolean() ? data.pickValue(HEADERS) : data.consumeString(20);
            String value = data.pickValue(VALUE_PREFIXES) + data.consumeString(120);
            try {
                headers.add(name, value);
            } catch (IllegalArgumentException refusedByTheDecoder) {
                // Netty's HttpRequestDecoder would have refused this header line.
            }
        }
        HttpRequest request;
        try {
            request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri, headers);
        } catch (IllegalArgumentException refusedByTheDecoder) {
            return; // a URI with whitespace or control characters does not get through the decoder
        }
        QueryStringDecoder query = new QueryStringDecoder(request.uri());
        try {
            query.path();
            query.parameters();
        } catch (IllegalArgumentException invalidEscape) {
            return; // HttpRequestHandler answers 400 before any extraction (MalformedUriTest)
        }
        NettyAuthRequest auth = new NettyAuthRequest(request, query);
        CredentialExtractor.Extraction found = new CredentialExtractor(allowQuery, sessions).extract(auth);

        assertThat(found.credential() == null || found.refusal() == null)
                .as("never both")
                .isTrue();
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (found.refusal() != null) {
            assertThat(found.refusal().code()).isEqualTo(RefusalCode.TOKEN_INVALID);
            assertThat(found.refusal().hint()).isNotBlank();
            return;
        }
        if (found.isNone()) {
            assertThat(authorization).isNull();
            return;
        }
        Credential c = found.credential();
        assertThat(c.token()).isNotEmpty();
        if (c.token().length() >= 16) {
            assertThat(c.toString()).doesNotContain(c.token());
        }
        if (c.carrier() != CredentialCarrier.AUTHORIZATION_HEADER) {
            assertThat(authorization).as("Authorization comes first").isNull();
        }
        switch (c.carrier()) {
            case AUTHORIZATION_HEADER ->
                assertThat(authorization).containsIgnoringCase("bearer ").contains(c.token());
            case SUBPROTOCOL ->
                assertThat(String.join(",", headers.getAll(HttpHeaderNames.SEC_WEBSOCKET_PROTOCOL)))
                        .contains(Subprotocols.BEARER_PREFIX + c.token());
            case QUERY -> assertThat(allowQuery).isTrue();
            case COOKIE -> {
                assertThat(sessions).isTrue();
                assertThat(String.join(";", headers.getAll(HttpHeaderNames.COOKIE)))
                        .contains(c.token());
            }
            default -> throw new AssertionError("unexpected carrier " + c.carrier());
        }
    }
}
