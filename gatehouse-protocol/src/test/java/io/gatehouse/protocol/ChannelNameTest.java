package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNameTest {
    @Test
    void namespaceIsThePartBeforeTheFirstColon() {
        ChannelName c = ChannelName.parse("chat:room:1").orElseThrow();
        assertThat(c.namespace()).isEqualTo("chat");
        assertThat(c.isUserLimited()).isFalse();
        assertThat(ChannelName.parse("news").orElseThrow().namespace()).isNull();
    }

    @Test
    void hashListsTheUsersOfAUserLimitedChannel() {
        ChannelName c = ChannelName.parse("dialog#alice,bob").orElseThrow();
        assertThat(c.allowedUsers()).containsExactly("alice", "bob");
        assertThat(c.namespace()).isNull();
        ChannelName ns = ChannelName.parse("chat:inbox#a@b.c").orElseThrow();
        assertThat(ns.namespace()).isEqualTo("chat");
        assertThat(ns.allowedUsers()).isEqualTo(List.of("a@b.c"));
        // a colon after # belongs to the user list, not a namespace
        assertThat(ChannelName.parse("inbox#x:y").orElseThrow().namespace()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "ä", "x/y", ":x", "x:", "x#", "x#a,", "x#,a", "x#a#b", "a\nb"})
    void namesOutsideTheGrammarAreRejected(String raw) {
        assertThat(ChannelName.parse(raw)).isEmpty();
    }

    @Test
    void aPersonalChannelIsHashAndTheUserId() {
        assertThat(ChannelName.personal("alice").orElseThrow().allowedUsers()).containsExactly("alice");
        assertThat(ChannelName.personal("a,b")).isEmpty();
        assertThat(ChannelName.personal("auth0|123").orElseThrow().value()).isEqualTo("#auth0|123");
        assertThat(ChannelName.personal("with\nnewline")).isEmpty();
        assertThat(ChannelName.personal("x".repeat(255))).isEmpty();
    }
}
