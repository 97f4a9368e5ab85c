package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class InstanceIdTest {
    @Test
    void aUuidAndUpTo64OfTheAllowedCharactersAreInstanceIds() {
        String uuid = UUID.randomUUID().toString();
        assertThat(InstanceId.parse(uuid)).map(InstanceId::value).contains(uuid);
        assertThat(InstanceId.parse("tab_1.page:2-x")).isPresent();
        assertThat(InstanceId.parse("x".repeat(InstanceId.MAX_LENGTH))).isPresent();
    }

    @Test
    void anythingElseIsNot() {
        for (String bad : new String[] {null, "", "x".repeat(InstanceId.MAX_LENGTH + 1), "a b", "a/b", "é", "a\nb"}) {
            assertThat(InstanceId.parse(bad)).as(String.valueOf(bad)).isEmpty();
        }
        assertThat(InstanceId.grammarHint()).contains("64");
    }
}
