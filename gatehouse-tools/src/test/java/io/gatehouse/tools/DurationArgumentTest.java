package io.gatehouse.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gatehouse.config.ValueType;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The tools' duration options read the configuration's syntax, and answer as the configuration does. */
class DurationArgumentTest {
    /** Durations, durations too long to represent, and texts that are no duration. */
    static final List<String> SAMPLES = List.of(
            "500ms",
            "3s",
            "30m",
            "24h",
            "30d",
            "0s",
            "0ms",
            "007s",
            "9223372036854775807ms",
            "9223372036854775807m",
            "99999999999999999999s",
            "",
            "soon",
            "5",
            "ms",
            "s",
            "-1s",
            "+1s",
            "1.5s",
            "5 s",
            " 5s",
            "5S",
            "5mss",
            "5sec",
            "1h30m",
            "١s");

    @Test
    void readsAWholeNumberAndAUnit() {
        assertThat(DurationArgument.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationArgument.parse("6s")).isEqualTo(Duration.ofSeconds(6));
        assertThat(DurationArgument.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(DurationArgument.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(DurationArgument.parse("30d")).isEqualTo(Duration.ofDays(30));
        assertThat(DurationArgument.parse("0s")).isZero();
    }

    @Test
    void saysWhatADurationLooksLike() {
        assertThatThrownBy(() -> DurationArgument.parse("soon"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("expected a duration such as 500ms, 3s, 30m, 24h or 30d, got 'soon'");
    }

    @Test
    void answersEveryTextAsTheConfigurationDoes() {
        for (String text : SAMPLES) {
            assertThat(answer(() -> DurationArgument.parse(text)))
                    .as(text)
                    .isEqualTo(answer(() -> ValueType.parseDuration(text)));
        }
    }

    /** The duration, or the message of the IllegalArgumentException. */
    private static Object answer(Supplier<Duration> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
