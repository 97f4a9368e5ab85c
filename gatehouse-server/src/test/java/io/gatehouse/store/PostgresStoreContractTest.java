package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL (127.0.0.1:5432, database test, user postgres, trust
 * auth; override with TEST_POSTGRES_URL and TEST_POSTGRES_USER). Fails, never
 * skips, when PostgreSQL is down: a skipped suite would read as a green build. Each test migrates
 * its own randomly named schema and drops it afterwards, so runs can share the server.
 */
class PostgresStoreContractTest extends StoreContractTest {
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

    @Test
    void migrationsLandInTheSchemaNamedByTheUrl() throws SQLException {
        try (Connection c = administration();
                var rs = c.getMetaData().getTables(null, schema, "users", null)) {
            assertThat(rs.next()).as("table %s.users exists", schema).isTrue();
        }
    }

    @Test
    void anUnreachableDatabaseFailsWithAMessageThatNamesItButNotThePassword() {
        assertThatThrownBy(() -> Database.open("jdbc:postgresql://127.0.0.1:1/test?password=hunter2", "postgres", "hunter2", 1))
                .isInstanceOf(StoreException.class)
                .hasMessage("Could not connect to the database at jdbc:postgresql://127.0.0.1:1/test as user 'postgres'")
                .hasMessageNotContaining("hunter2");
    }

    private void execute(String sql) throws SQLException {
        try (Connection c = administration(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static Connection administration() throws SQLException {
        try {
            return DriverManager.getConnection(SERVER_URL, USER, PASSWORD);
        } catch (SQLException e) {
            throw new SQLException("These tests need PostgreSQL at " + SERVER_URL + " (user " + USER
                    + ", trust auth); start it or set TEST_POSTGRES_URL", e);
        }
    }
}
