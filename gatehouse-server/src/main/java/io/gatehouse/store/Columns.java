package io.gatehouse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * How the stores' Java values map to portable columns. Lists are comma-separated text;
 * instants are TIMESTAMP WITH TIME ZONE in UTC, kept to the microsecond (PostgreSQL's precision,
 * so H2 and PostgreSQL return the same value that was written).
 */
final class Columns {
    private Columns() {}

    static String list(List<String> values) {
        for (String value : values) {
            if (value.isEmpty() || value.indexOf(',') >= 0) {
                throw new IllegalArgumentException(
                        "List values are stored comma-separated, so they must be non-empty and free of commas: '"
                                + value + "'");
            }
        }
        return String.join(",", values);
    }

    static List<String> list(ResultSet rs, String column) throws SQLException {
        String joined = rs.getString(column);
        return joined.isEmpty() ? List.of() : List.of(joined.split(","));
    }

    /** Writes instant cut to the microsecond, or SQL NULL for null. */
    static void setInstant(PreparedStatement s, int index, Instant instant) throws SQLException {
        if (instant == null) {
            s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            s.setObject(index, instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC));
        }
    }

    /** The instant in column, or null when the column is SQL NULL. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
