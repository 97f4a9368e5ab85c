package io.gatehouse.broker;

import io.gatehouse.history.HistoryPage;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.Publication;
import io.gatehouse.protocol.StreamPosition;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What the {@link RedisScripts} answer, as the {@link RedisBroker} returns it. */
final class RedisReplies {
    private RedisReplies() {}

    /** The page a history script answered; {@code newestFirst} when it read backwards. */
    static HistoryPage page(ChannelName channel, List<Object> reply, boolean newestFirst) {
        StreamPosition at = position(reply);
        List<Publication> publications = new ArrayList<>();
        for (Object e : (List<?>) reply.get(2)) {
            List<?> entry = (List<?>) e;
            String id = (String) entry.get(0);
            long offset = Long.parseLong(id.substring(0, id.indexOf('-')));
            publications.add(RedisMessages.publication(channel.value(), offset, at.epoch(), field(entry.get(1), "b")));
        }
        if (newestFirst) {
            Collections.reverse(publications);
        }
        return new HistoryPage(publications, at);
    }

    /** The value of {@code name} among a stream entry's fields (name, value, name, value ...). */
    private static String field(Object fields, String name) {
        List<?> list = (List<?>) fields;
        for (int i = 0; i + 1 < list.size(); i += 2) {
            if (name.equals(list.get(i))) {
                return (String) list.get(i + 1);
            }
        }
        throw new IllegalStateException("a history entry without its " + name + " field");
    }

    /** {offset, epoch, ...} as a script answers them. */
    static StreamPosition position(List<Object> reply) {
        return new StreamPosition((Long) reply.get(0), (String) reply.get(1));
    }
}
