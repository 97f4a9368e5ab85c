package io.gatehouse.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.gatehouse.concurrent.Threads;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gatehouse's own database: a connection pool whose schema has been migrated to the latest
 * version. Works with embedded H2 ({@code jdbc:h2:...}) and PostgreSQL
 * ({@code jdbc:postgresql://...}); the JDBC driver is chosen by the URL.
 */
public final class Database implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Database.class);

    private static final String MIGRATIONS = "classpath:db/migration";
    private static final String EMBEDDED_FILE_NAME = "gatehouse";
    /** How long a caller waits for a pooled connection before the operation fails. */
    private static final long CONNECTION_TIMEOUT_MILLIS = 5_000;

    private static final int VALIDITY_CHECK_SECONDS = 2;
    /** SQLSTATE for unique and primary-key violations; H2 and PostgreSQL both use it. */
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * H2's only setting for the address its servers listen on. It is JVM-wide and read once, when
     * H2 first loads, so it has to be set before the first H2 connection.
     */
    private static final String H2_BIND_ADDRESS = "h2.bindAddress";

    private static final String LOOPBACK = "127.0.0.1";

    private final HikariDataSource pool;

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * Connects and migrates the schema, so a returned Database is ready to use.
     *
     * @throws StoreException if the database cannot be reached or migrated
     */
    public static Database open(String jdbcUrl, String username, String password, int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be at least 1, was " + poolSize);
        }
        if (jdbcUrl.startsWith("jdbc:h2:")) {
            keepH2ServersOnLoopback();
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("gatehouse-store");
        config.setJdbcUrl(jdbcUrl);
        config.setUsername(username);
        config.setPassword(password);
        config.setMaximumPoolSize(poolSize);
        config.setConnectionTimeout(CONNECTION_TIMEOUT_MILLIS);

        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException(
                    "Could not connect to the database at " + withoutSettings(jdbcUrl) + " as user '" + username + "'",
                    e);
        }
        try {
            // Flyway holds one connection while it asks for another, so it gets its own: through a
            // pool of size 1 it would wait out the connection timeout. The pool is opened first so
            // that an in-memory H2 database outlives Flyway's connections.
            Flyway.configure()
                    .dataSource(jdbcUrl, username, password)
                    .locations(MIGRATIONS)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("Could not migrate the database schema at " + withoutSettings(jdbcUrl), e);
        }
        return new Database(pool);
    }

    /**
     * The URL of the embedded H2 database in {@code dataDir}, in a mode where a second process
     * (the {@code gatehouse user ...} CLI) can use the database while the server has it open.
     *
     * <p>With AUTO_SERVER=TRUE the first process to open the file also starts a TCP server for it
     * and writes its address and a random key into {@code gatehouse.lock.db}; later processes
     * connect through that server, and one of them takes over when the first one closes. H2 starts
     * that server with {@code -tcpAllowOthers} on all interfaces; {@link #open} narrows it to
     * loopback through {@code h2.bindAddress} (see {@link #keepH2ServersOnLoopback}). The random
     * port is chosen per start; the database credentials still apply.
     */
    public static String embeddedUrl(Path dataDir) {
        String file =
                dataDir.toAbsolutePath().normalize().resolve(EMBEDDED_FILE_NAME).toString();
        if (file.indexOf(';') >= 0) {
            // H2 reads settings after ';' and has no way to escape one inside the path.
            throw new IllegalArgumentException("The data directory must not contain ';': " + dataDir);
        }
        // DB_CLOSE_ON_EXIT=FALSE would suit us (close() shuts the database down in order), but H2
        // refuses it together with AUTO_SERVER (error 50100): the server's shutdown hook must run
        // so another process can take over the file.
        return "jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE";
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Whether a connection can be had and answers within a couple of seconds. Never throws. */
    public boolean isReachable() {
        Threads.assertMayBlock();
        try (Connection c = pool.getConnection()) {
            return c.isValid(VALIDITY_CHECK_SECONDS);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Work done with one connection; the stores' SQL lives in these lambdas. */
    @FunctionalInterface
    interface SqlWork<T> {
        T apply(Connection connection) throws SQLException;
    }

    /**
     * Runs work on a pooled connection in auto-commit mode.
     *
     * @param whatFor completes "Could not ..." in the StoreException message; must not hold secrets
     */
    <T> T run(String whatFor, SqlWork<T> work) {
        Threads.assertMayBlock();
        try (Connection c = pool.getConnection()) {
            return work.apply(c);
        } catch (SQLException e) {
            throw new StoreException("Could not " + whatFor, e);
        }
    }

    /** Reads the row a result stands on. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    /**
     * The rows {@code sql} selects, with {@code parameters} (strings, longs, instants) bound in
     * order, each read by {@code reader}.
     */
    <T> List<T> query(String whatFor, String sql, RowReader<T> reader, Object... parameters) {
        return run(whatFor, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, parameters);
                try (ResultSet rs = s.executeQuery()) {
                    List<T> rows = new ArrayList<>();
                    while (rs.next()) {
                        rows.add(reader.read(rs));
                    }
                    return rows;
                }
            }
        });
    }

    /** Like {@link #query}, for a lookup that finds one row or none. */
    <T> Optional<T> queryOne(String whatFor, String sql, RowReader<T> reader, Object... parameters) {
        return query(whatFor, sql, reader, parameters).stream().findFirst();
    }

    /** Runs an INSERT, UPDATE or DELETE with {@code parameters} bound as in {@link #query}: the rows it changed. */
    int update(String whatFor, String sql, Object... parameters) {
        return run(whatFor, c -> {
            try (PreparedStatement s = c.prepareStatement(sql)) {
                bind(s, parameters);
                return s.executeUpdate();
            }
        });
    }

    private static void bind(PreparedStatement s, Object[] parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object p = parameters[i];
            if (p instanceof String text) {
                s.setString(i + 1, text);
            } else if (p instanceof Long number) {
                s.setLong(i + 1, number);
            } else if (p instanceof Instant at) {
                Columns.setInstant(s, i + 1, at);
            } else {
                throw new IllegalArgumentException("No binding for parameter " + (i + 1) + ": " + p);
            }
        }
    }

    /** Runs work in one transaction, committed if work returns and rolled back if it throws. */
    <T> T inTransaction(String whatFor, SqlWork<T> work) {
        return run(whatFor, c -> {
            // The pool restores auto-commit when the connection is returned.
            c.setAutoCommit(false);
            try {
                T result = work.apply(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            }
        });
    }

    static boolean isUniqueViolation(SQLException e) {
        return UNIQUE_VIOLATION.equals(e.getSQLState());
    }

    /**
     * H2's AUTO_SERVER listens on every interface by default; the file key and the database
     * password are then all that keep other hosts out. Gatehouse only shares the embedded
     * database between processes on one machine, so loopback is enough. An operator who set
     * h2.bindAddress explicitly keeps their choice.
     */
    private static void keepH2ServersOnLoopback() {
        if (System.getProperty(H2_BIND_ADDRESS) == null) {
            System.setProperty(H2_BIND_ADDRESS, LOOPBACK);
        }
        String effective = org.h2.engine.SysProperties.BIND_ADDRESS;
        if (effective == null || effective.isEmpty()) {
            log.warn("H2 was loaded before Gatehouse set h2.bindAddress, so the embedded database's "
                    + "AUTO_SERVER port listens on all interfaces; start the JVM with -Dh2.bindAddress=127.0.0.1");
        }
    }

    /** The URL without its settings, which may hold credentials (user=, password=, ;PASSWORD=). */
    private static String withoutSettings(String jdbcUrl) {
        int end = jdbcUrl.length();
        for (char separator : new char[] {'?', ';'}) {
            int at = jdbcUrl.indexOf(separator);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        return jdbcUrl.substring(0, end);
    }
}
