package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MessageTypeTest {
    @Test
    void everyMessageRecordHasAType() {
        Stream.concat(
                        Arrays.stream(ClientMessage.class.getPermittedSubclasses()),
                        Arrays.stream(ServerMessage.class.getPermittedSubclasses()))
                .forEach(record ->
                        assertThat(MessageType.of(record)).as(record.getName()).isNotNull());
    }

    @Test
    void everyTypeBelongsToARecord() {
        Set<MessageType> used = Stream.concat(
                        Arrays.stream(ClientMessage.class.getPermittedSubclasses()),
                        Arrays.stream(ServerMessage.class.getPermittedSubclasses()))
                .map(MessageType::of)
                .collect(Collectors.toCollection(() -> EnumSet.noneOf(MessageType.class)));
        assertThat(used).isEqualTo(EnumSet.allOf(MessageType.class));
    }

    @Test
    void clientRecordsCarryClientTypes() {
        for (Class<?> record : ClientMessage.class.getPermittedSubclasses()) {
            assertThat(MessageType.of(record).isClientMessage())
                    .as(record.getName())
                    .isTrue();
        }
    }
}
