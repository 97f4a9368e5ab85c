package io.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionIdsTest {
    @Test
    void idsAreWellFormedDistinctAndSortInTheOrderTheyWereMade() throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ids.add(ConnectionIds.generate());
            if (i % 5_000 == 0) {
                Thread.sleep(2); // ids of different milliseconds
            }
        }
        assertThat(ids).allMatch(ConnectionIds::isWellFormed);
        assertThat(new HashSet<>(ids)).hasSize(ids.size());
        // The time comes first: an id made in a later millisecond sorts after (the access log's
        // connection_id index then grows at its end).
        String first = ids.get(0);
        String last = ids.get(ids.size() - 1);
        assertThat(last.substring(0, 12)).isGreaterThan(first.substring(0, 12));
        assertThat(Long.parseLong(first.substring(0, 12), 16))
                .isBetween(System.currentTimeMillis() - 60_000, System.currentTimeMillis());
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i).substring(0, 12))
                    .isGreaterThanOrEqualTo(ids.get(i - 1).substring(0, 12));
        }
    }

    @Test
    void theRandomPartDiffersWithinOneMillisecond() {
        String a = ConnectionIds.generate();
        String b = ConnectionIds.generate();
        assertThat(a.substring(12)).isNotEqualTo(b.substring(12));
    }
}
