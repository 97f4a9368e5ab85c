package io.gatehouse.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * How the stores' Java values map to portable columns. Lists are JSON arrays in text columns;
 * instants are TIMESTAMP WITH TIME ZONE in UTC, kept to the microsecond (PostgreSQL's precision,
 * so H2 and PostgreSQL return the same value that was written).
 */
final class Columns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Columns() {}

    /** A list as a JSON array of strings: channel names such as {@code dialog#alice,bob} hold commas. */
    static String list(List<String> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<String> list(ResultSet rs, String column) throws SQLException {
        try {
            return List.of(JSON.readValue(rs.getString(column), String[].class));
        } catch (JsonProcessingException e) {
            throw new SQLException("column " + column + " does not hold a JSON list of strings", e);
        }
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
