package io.gatehouse.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** How a configuration value is written and checked. Each parse names what it expected. */
public enum ValueType {
    STRING,
    PATH,
    PORT,
    POSITIVE_INT,
    NON_NEGATIVE_INT,
    BOOLEAN,
    DURATION,
    SIZE,
    STRING_LIST,
    RATE;

    private static final Pattern DURATION_PATTERN = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE_PATTERN = Pattern.compile("(\\d+)(B|KiB|MiB|GiB)?");

    /**
     * Parses {@code raw} (a YAML scalar, a YAML list, or an environment string).
     *
     * @throws IllegalArgumentException with a message saying what a valid value looks like
     */
    public Object parse(Object raw) {
        if (this == STRING_LIST) {
            return parseList(raw);
        }
        if (this == RATE) {
            return parseRate(raw);
        }
        if (raw instanceof List || raw instanceof java.util.Map) {
            throw new IllegalArgumentException("expected a single value, got " + describe(raw));
        }
        String s = raw == null ? "" : raw.toString().trim();
        return switch (this) {
            case STRING -> s;
            case PATH -> {
                if (s.isEmpty()) {
                    throw new IllegalArgumentException("expected a path, got an empty value");
                }
                yield Path.of(s);
            }
            case PORT -> {
                int port = parseInt(s, "a port number 0-65535");
                if (port < 0 || port > 65535) {
                    throw new IllegalArgumentException("expected a port number 0-65535, got '" + s + "'");
                }
                yield port;
            }
            case POSITIVE_INT -> {
                int n = parseInt(s, "a whole number of at least 1");
                if (n < 1) {
                    throw new IllegalArgumentException("expected a whole number of at least 1, got '" + s + "'");
                }
                yield n;
            }
            case NON_NEGATIVE_INT -> {
                int n = parseInt(s, "a whole number of at least 0");
                if (n < 0) {
                    throw new IllegalArgumentException("expected a whole number of at least 0, got '" + s + "'");
                }
                yield n;
            }
            case BOOLEAN ->
                switch (s.toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("expected true or false, got '" + s + "'");
                };
            case DURATION -> parseDuration(s);
            case SIZE -> parseSize(s);
            case STRING_LIST, RATE -> throw new AssertionError("handled above");
        };
    }

    /** Parses durations such as {@code 500ms}, {@code 3s}, {@code 30m}, {@code 24h}, {@code 30d}. */
    public static Duration parseDuration(String s) {
        Matcher m = DURATION_PATTERN.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a duration such as 500ms, 3s, 30m, 24h or 30d, got '" + s + "'");
        }
        try {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> throw new AssertionError(m.group(2));
            };
        } catch (ArithmeticException | NumberFormatException tooLong) {
            throw new IllegalArgumentException("duration '" + s + "' is too long to represent");
        }
    }

    /** Parses sizes such as {@code 65536}, {@code 64KiB}, {@code 16MiB}; returns bytes. */
    public static long parseSize(String s) {
        Matcher m = SIZE_PATTERN.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as 64KiB or 16MiB, got '" + s + "'");
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        long bytes;
        try {
            long n = Long.parseLong(m.group(1));
            bytes = switch (unit) {
                case "B" -> n;
                case "KiB" -> Math.multiplyExact(n, 1024L);
                case "MiB" -> Math.multiplyExact(n, 1024L * 1024);
                case "GiB" -> Math.multiplyExact(n, 1024L * 1024 * 1024);
                default -> throw new AssertionError(unit);
            };
        } catch (ArithmeticException | NumberFormatException tooBig) {
            // Unchecked, 17179869184GiB would wrap around to 0 bytes and larger counts to any number.
            throw new IllegalArgumentException("size '" + s + "' is too large to represent");
        }
        if (bytes < 1) {
            throw new IllegalArgumentException("expected a size of at least 1 byte, got '" + s + "'");
        }
        return bytes;
    }

    /** A token bucket {@code {rate: PER_SECOND, burst: COUNT}}: a YAML map, or its flow form in the environment. */
    private static RateLimit parseRate(Object raw) {
        Object value = raw;
        if (raw instanceof String s) {
            try {
                value = new com.fasterxml.jackson.databind.ObjectMapper(
                                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                        .readValue(s, Object.class);
            } catch (java.io.IOException e) {
                value = null;
            }
        }
        if (!(value instanceof java.util.Map<?, ?> m)
                || m.size() != 2
                || !(m.get("rate") instanceof Number rate)
                || !(m.get("burst") instanceof Number burst)) {
            throw new IllegalArgumentException(
                    "expected a token bucket {rate: PER_SECOND, burst: COUNT}, got " + describe(raw));
        }
        if (rate.doubleValue() <= 0
                || burst.doubleValue() < 1
                || burst.doubleValue() != Math.floor(burst.doubleValue())) {
            throw new IllegalArgumentException(
                    "rate must be above 0 and burst a whole number of at least 1, got " + describe(raw));
        }
        return new RateLimit(rate.doubleValue(), burst.intValue());
    }

    private static List<String> parseList(Object raw) {
        List<String> out = new ArrayList<>();
        if (raw == null) {
            return out;
        }
        if (raw instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof List || o instanceof java.util.Map) {
                    throw new IllegalArgumentException("expected a list of strings, got " + describe(raw));
                }
                if (o != null && !o.toString().isBlank()) {
                    out.add(o.toString().trim());
                }
            }
            return out;
        }
        if (raw instanceof java.util.Map) {
            throw new IllegalArgumentException("expected a list, got a map");
        }
        // Environment form: comma separated. A PEM key contains no comma.
        for (String part : raw.toString().split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static int parseInt(String s, String expected) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected " + expected + ", got '" + s + "'");
        }
    }

    private static String describe(Object raw) {
        return raw instanceof List ? "a list" : raw instanceof java.util.Map ? "a map" : "'" + raw + "'";
    }
}
