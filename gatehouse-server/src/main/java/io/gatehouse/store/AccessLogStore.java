package io.gatehouse.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code access_log} table. Blocking; the access log's writer thread and the API's blocking
 * executor call it, never an event loop.
 *
 * <p>One row per upgrade attempt, and one per admin action ({@link AccessLogEntry#action}). A
 * close does not add a row: it completes the row of its connection's attempt (same connection id
 * and outcome, no close code yet) with the close code and duration, so an operator reads one line
 * per connection. When that row is gone (its attempt was dropped from a full buffer, or swept by
 * retention) the close entry is inserted as a row of its own.
 *
 * <p>Text values are cut to their column's width and control characters replaced before they are
 * written: a hostile User-Agent must neither fail a whole batch nor forge a line in an export.
 */
public final class AccessLogStore {
    // Column widths, as in V3__access_log.sql.
    private static final int IP_CHARS = 64;
    private static final int ORIGIN_CHARS = 512;
    private static final int USER_AGENT_CHARS = 512;
    private static final int USER_ID_CHARS = 255;
    private static final int METHOD_CHARS = 32;
    private static final int OUTCOME_CHARS = 64;
    private static final int FINGERPRINT_CHARS = 16;
    private static final int CONNECTION_ID_CHARS = 64;
    // As in V7__access_log_admin_actions.sql.
    private static final int ACTION_CHARS = 64;
    private static final int TARGET_CHARS = 512;

    private static final String COLUMNS = "time, client_ip, origin, user_agent, user_id, method, outcome, "
            + "token_fingerprint, connection_id, close_code, duration_ms, action, target";
    private static final String INSERT =
            "INSERT INTO access_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String COMPLETE = "UPDATE access_log SET close_code = ?, duration_ms = ? "
            + "WHERE connection_id = ? AND outcome = ? AND close_code IS NULL";

    /**
     * Which rows {@link #newest} returns; every field that is set must match, a null (or false)
     * one matches every row. {@code outcome}, {@code userId}, {@code clientIp}: exactly;
     * {@code refused}: any outcome but ACCEPTED; {@code since}: at or after; {@code until}: before.
     */
    public record Filter(
            String outcome, String userId, String clientIp, boolean refused, Instant since, Instant until) {
        public static final Filter ALL = new Filter(null, null, null);

        public Filter(String outcome, String userId, String clientIp) {
            this(outcome, userId, clientIp, false, null, null);
        }
    }

    /** One {@code ?} of a query and how to set it. */
    private interface Parameter {
        void set(PreparedStatement s, int index) throws SQLException;
    }

    private final Database db;

    public AccessLogStore(Database db) {
        this.db = db;
    }

    /**
     * Writes {@code entries} in one transaction, in JDBC batches: attempts are inserted first, then
     * closes complete their rows (so an attempt and its close may share a batch). Nothing is
     * written if it throws.
     *
     * @throws StoreException if the database is unreachable or refuses a value
     */
    public void write(List<AccessLogEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        db.inTransaction("write " + entries.size() + " access-log entries", c -> {
            List<AccessLogEntry> attempts = new ArrayList<>();
            List<AccessLogEntry> closes = new ArrayList<>();
            for (AccessLogEntry e : entries) {
                (e.isClose() ? closes : attempts).add(e);
            }
            insert(c, attempts);
            insert(c, complete(c, closes));
            return null;
        });
    }

    /** Inserts rows with one batch. */
    private static void insert(Connection c, List<AccessLogEntry> entries) throws SQLException {
        if (entries.isEmpty()) {
            return;
        }
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            for (AccessLogEntry e : entries) {
                Columns.setInstant(s, 1, e.time());
                s.setString(2, text(e.clientIp(), IP_CHARS));
                s.setString(3, text(e.origin(), ORIGIN_CHARS));
                s.setString(4, text(e.userAgent(), USER_AGENT_CHARS));
                s.setString(5, text(e.userId(), USER_ID_CHARS));
                s.setString(6, text(e.method(), METHOD_CHARS));
                s.setString(7, text(e.outcome(), OUTCOME_CHARS));
                s.setString(8, text(e.tokenFingerprint(), FINGERPRINT_CHARS));
                s.setString(9, text(e.connectionId(), CONNECTION_ID_CHARS));
                setNullableInt(s, 10, e.closeCode());
                setNullableLong(s, 11, e.durationMillis());
                s.setString(12, text(e.action(), ACTION_CHARS));
                s.setString(13, text(e.target(), TARGET_CHARS));
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /** Completes the rows the closes belong to, with one batch; returns the closes that found no row. */
    private static List<AccessLogEntry> complete(Connection c, List<AccessLogEntry> closes) throws SQLException {
        if (closes.isEmpty()) {
            return closes;
        }
        List<AccessLogEntry> orphans = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(COMPLETE)) {
            for (AccessLogEntry e : closes) {
                setNullableInt(s, 1, e.closeCode());
                setNullableLong(s, 2, e.durationMillis());
                s.setString(3, text(e.connectionId(), CONNECTION_ID_CHARS));
                s.setString(4, text(e.outcome(), OUTCOME_CHARS));
                s.addBatch();
            }
            int[] counts = s.executeBatch();
            for (int i = 0; i < counts.length; i++) {
                // SUCCESS_NO_INFO: the driver did not count; better a missing row than a duplicate.
                if (counts[i] == 0) {
                    orphans.add(closes.get(i));
                }
            }
        }
        return orphans;
    }

    /** Matching rows, newest first, at most {@code limit}. */
    public List<AccessLogEntry> newest(Filter filter, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        List<String> conditions = new ArrayList<>();
        List<Parameter> values = new ArrayList<>();
        condition(conditions, values, "outcome", filter.outcome());
        condition(conditions, values, "user_id", filter.userId());
        condition(conditions, values, "client_ip", filter.clientIp());
        if (filter.refused()) {
            conditions.add("outcome <> ?");
            values.add((st, i) -> st.setString(i, AccessLogEntry.ACCEPTED));
        }
        if (filter.since() != null) {
            conditions.add("time >= ?");
            values.add((st, i) -> Columns.setInstant(st, i, filter.since()));
        }
        if (filter.until() != null) {
            conditions.add("time < ?");
            values.add((st, i) -> Columns.setInstant(st, i, filter.until()));
        }
        String sql = "SELECT " + COLUMNS + " FROM access_log"
                + (conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions))
                + " ORDER BY time DESC, id DESC LIMIT " + limit;
        return db.run("read the access log", c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < values.size(); i++) {
                    values.get(i).set(s, i + 1);
                }
                List<AccessLogEntry> out = new ArrayList<>();
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        out.add(entry(rs));
                    }
                }
                return out;
            }
        });
    }

    /** Deletes the rows of attempts made before {@code cutoff}; returns how many. */
    public int deleteOlderThan(Instant cutoff) {
        return db.run("delete old access-log entries", c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM access_log WHERE time < ?")) {
                Columns.setInstant(s, 1, cutoff);
                return s.executeUpdate();
            }
        });
    }

    /** Whether the database answers at all: tells an outage from an entry it refuses. Never throws. */
    public boolean isReachable() {
        return db.isReachable();
    }

    private static void condition(List<String> conditions, List<Parameter> values, String column, String value) {
        if (value != null) {
            conditions.add(column + " = ?");
            values.add((s, i) -> s.setString(i, value));
        }
    }

    private static AccessLogEntry entry(ResultSet rs) throws SQLException {
        int closeCode = rs.getInt("close_code");
        Integer close = rs.wasNull() ? null : closeCode;
        long durationMillis = rs.getLong("duration_ms");
        Long duration = rs.wasNull() ? null : durationMillis;
        return new AccessLogEntry(
                Columns.instant(rs, "time"),
                rs.getString("client_ip"),
                rs.getString("origin"),
                rs.getString("user_agent"),
                rs.getString("user_id"),
                rs.getString("method"),
                rs.getString("outcome"),
                rs.getString("token_fingerprint"),
                rs.getString("connection_id"),
                close,
                duration,
                rs.getString("action"),
                rs.getString("target"));
    }

    /**
     * {@code value} fit for a column of {@code maxChars}: control characters become '?', and the
     * value is cut to the width without splitting a surrogate pair. Null stays null.
     */
    static String text(String value, int maxChars) {
        if (value == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(value.length(), maxChars));
        for (int i = 0; i < value.length() && b.length() < maxChars; i++) {
            char ch = value.charAt(i);
            if (Character.isHighSurrogate(ch)
                    && i + 1 < value.length()
                    && Character.isLowSurrogate(value.charAt(i + 1))) {
                if (b.length() + 2 > maxChars) {
                    break;
                }
                b.append(ch).append(value.charAt(++i));
            } else if (Character.isISOControl(ch) || Character.isSurrogate(ch)) {
                b.append('?'); // a lone surrogate cannot be encoded, and PostgreSQL refuses NUL
            } else {
                b.append(ch);
            }
        }
        return b.toString();
    }

    private static void setNullableInt(PreparedStatement s, int index, Integer value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.INTEGER);
        } else {
            s.setInt(index, value);
        }
    }

    private static void setNullableLong(PreparedStatement s, int index, Long value) throws SQLException {
        if (value == null) {
            s.setNull(index, Types.BIGINT);
        } else {
            s.setLong(index, value);
        }
    }
}
