package io.gatehouse.probe;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/** What an abuse scenario measured: how it ended, in words, and the numbers behind it. */
record Measured(String describe, Map<String, Object> facts) implements Observation {
    Measured {
        Objects.requireNonNull(describe, "describe");
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
    }

    /** {@code 812 B}, {@code 26 KiB}, {@code 32.0 MiB}. */
    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        if (n < 1024 * 1024) {
            return n / 1024 + " KiB";
        }
        return String.format(Locale.ROOT, "%.1f MiB", n / (1024.0 * 1024));
    }

    /** {@code 10.0 s}. */
    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }
}
