package io.gatehouse.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The access-log store contract on a real PostgreSQL, as {@link PostgresStoreContractTest} sets it
 * up (TEST_POSTGRES_URL, TEST_POSTGRES_USER): each test migrates its own randomly named schema and
 * drops it afterwards. Fails, never skips, when PostgreSQL is down.
 */
class AccessLogStorePostgresTest extends AccessLogStoreContractTest {
    private static final String SERVER_URL =
            System.getenv().getOrDefault("TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String USER = System.getenv().getOrDefault("TEST_POSTGRES_USER", "postgres");
    private static final String PASSWORD = "";

    private String schema;

    @Override
    protected void prepareEmptyDatabase() throws SQLException {
        schema = "gatehouse_test_" + UUID.randomUUID().toString().replace("-", "");
        execute("CREATE SCHEMA " + schema);
    }

    @Override
    protected Database openDatabase() {
        return Database.open(SERVER_URL + "?currentSchema=" + schema, USER, PASSWORD, 2);
    }

    @Override
    protected void discardDatabase() throws SQLException {
        execute("DROP SCHEMA " + schema + " CASCADE");
    }

    private static void execute(String sql) throws SQLException {
        Connection c;
        try {
            c = DriverManager.getConnection(SERVER_URL, USER, PASSWORD);
        } catch (SQLException e) {
            throw new SQLException("These tests need PostgreSQL at " + SERVER_URL + " (user " + USER
                    + ", trust auth); start it or set TEST_POSTGRES_URL", e);
        }
        try (c; Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
