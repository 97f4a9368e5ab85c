package io.gatehouse.tools;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * A duration option ({@code --wait}, {@code --warmup}, {@code --duration}, {@code --hold}) in the
 * configuration's syntax: a whole number and a unit, {@code 500ms}, {@code 3s}, {@code 30m},
 * {@code 24h}, {@code 30d}. The server's {@code config.ValueType} reads the same syntax; the tools
 * do not depend on the server, and DurationArgumentTest holds the two to the same answers.
 */
final class DurationArgument implements CommandLine.ITypeConverter<Duration> {
    /** Each unit by its suffix; {@code ms} before {@code s}, which it ends with. */
    private static final List<Map.Entry<String, ChronoUnit>> UNITS = List.of(
            Map.entry("ms", ChronoUnit.MILLIS),
            Map.entry("s", ChronoUnit.SECONDS),
            Map.entry("m", ChronoUnit.MINUTES),
            Map.entry("h", ChronoUnit.HOURS),
            Map.entry("d", ChronoUnit.DAYS));

    /** @throws IllegalArgumentException saying what a duration looks like */
    static Duration parse(String text) {
        for (Map.Entry<String, ChronoUnit> unit : UNITS) {
            if (!text.endsWith(unit.getKey())) {
                continue;
            }
            String amount = text.substring(0, text.length() - unit.getKey().length());
            if (amount.isEmpty() || !amount.chars().allMatch(c -> c >= '0' && c <= '9')) {
                break;
            }
            try {
                return Duration.of(Long.parseLong(amount), unit.getValue());
            } catch (ArithmeticException | NumberFormatException tooLong) {
                throw new IllegalArgumentException("duration '" + text + "' is too long to represent");
            }
        }
        throw new IllegalArgumentException(
                "expected a duration such as 500ms, 3s, 30m, 24h or 30d, got '" + text + "'");
    }

    @Override
    public Duration convert(String value) {
        try {
            return parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
