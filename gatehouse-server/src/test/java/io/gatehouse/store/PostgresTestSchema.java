package io.gatehouse.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh, randomly named schema on the real PostgreSQL the tests use (127.0.0.1:5432, database
 * test, user postgres, trust auth; override with TEST_POSTGRES_URL and TEST_POSTGRES_USER), so
 * runs can share the server. Fails, never skips, when PostgreSQL is down: a skipped suite would
 * read as a green build. Public for the tests of several nodes on one database.
 */
public final class PostgresTestSchema {
    public static final String SERVER_URL =
            System.getenv().getOrDefault("TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getenv().getOrDefault("TEST_POSTGRES_USER", "postgres");
    private static final String PASSWORD = "";

    public final String name = "gatehouse_test_" + UUID.randomUUID().toString().replace("-", "");

    public void create() throws SQLException {
        execute("CREATE SCHEMA " + name);
    }

    /** The JDBC URL of this schema, for {@code database.url}. */
    public String url() {
        return SERVER_URL + "?currentSchema=" + name;
    }

    public Database open() {
        return Database.open(url(), USER, PASSWORD, 2);
    }

    public void drop() throws SQLException {
        execute("DROP SCHEMA " + name + " CASCADE");
    }

    public static Connection administration() throws SQLException {
        try {
            return DriverManager.getConnection(SERVER_URL, USER, PASSWORD);
        } catch (SQLException e) {
            throw new SQLException(
                    "These tests need PostgreSQL at " + SERVER_URL + " (user " + USER
                            + ", trust auth); start it or set TEST_POSTGRES_URL",
                    e);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = administration();
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
