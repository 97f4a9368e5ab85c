package io.gatehouse.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretTokenTest {
    private static final String VALID = "ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

    @Test
    void generatedAccessTokenIsTheKindThen43Base64UrlCharacters() {
        SecretToken token = SecretToken.generate("ght_");
        assertThat(token.value()).matches("ght_[A-Za-z0-9_-]{43}");
        assertThat(token.prefix()).isEqualTo(token.value().substring(0, "ght_".length() + 8));
        assertThat(token.hash()).hasSize(32).isEqualTo(SecretToken.sha256(token.value()));
    }

    @Test
    void generatedApiKeyUsesItsOwnKind() {
        SecretToken key = SecretToken.generate("ghk_");
        assertThat(key.value()).matches("ghk_[A-Za-z0-9_-]{43}");
        assertThat(key.prefix()).startsWith("ghk_").hasSize(12);
    }

    @Test
    void generatedValuesAndPrefixesDoNotRepeat() {
        Set<String> values = new HashSet<>();
        Set<String> prefixes = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            SecretToken token = SecretToken.generate("ght_");
            values.add(token.value());
            prefixes.add(token.prefix());
        }
        assertThat(values).hasSize(10_000);
        assertThat(prefixes).hasSize(10_000);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"ght", "GHT_", "ght-", "1ht_"})
    void generateRejectsAMalformedKind(String kind) {
        assertThatThrownBy(() -> SecretToken.generate(kind)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void prefixOfAGeneratedValueIsItsPrefix() {
        SecretToken token = SecretToken.generate("ghk_");
        assertThat(SecretToken.prefixOf(token.value(), "ghk_")).contains(token.prefix());
        assertThat(SecretToken.prefixOf(VALID, "ght_")).contains("ght_AbCdEfGh");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(
            strings = {
                "ghk_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde", // another kind
                "ght_",
                "ght_AbCdEfGh",
                "ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd", // one character short
                "ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdef", // one character long
                "ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde", // standard base64, not base64url
                "ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abc==",
                "ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_ab de",
                " ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde",
                "Bearer ght_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde",
            })
    void prefixOfIsEmptyForValuesNotShapedLikeThisKindOfSecret(String value) {
        assertThat(SecretToken.prefixOf(value, "ght_")).isEmpty();
    }

    @Test
    void sha256MatchesTheStandardTestVector() {
        assertThat(HexFormat.of().formatHex(SecretToken.sha256("abc")))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void matchesAcceptsOnlyTheValueThatWasHashed() {
        SecretToken token = SecretToken.generate("ght_");
        assertThat(SecretToken.matches(token.value(), token.hash())).isTrue();
        assertThat(SecretToken.matches(SecretToken.generate("ght_").value(), token.hash()))
                .isFalse();
        assertThat(SecretToken.matches(token.value() + "x", token.hash())).isFalse();
        assertThat(SecretToken.matches(null, token.hash())).isFalse();
        assertThat(SecretToken.matches(token.value(), null)).isFalse();
        assertThat(SecretToken.matches(token.value(), new byte[0])).isFalse();
    }

    @Test
    void toStringShowsThePrefixButNotTheSecret() {
        SecretToken token = SecretToken.generate("ght_");
        assertThat(token.toString()).contains(token.prefix()).doesNotContain(token.value());
    }
}
