package io.gatehouse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a real PostgreSQL, each test in its own {@link PostgresTestSchema}.
 */
class PostgresStoreContractTest extends StoreContractTest {
    PostgresStoreContractTest() {
        super(TestDatabases.postgres());
    }

    @Test
    void migrationsLandInTheSchemaNamedByTheUrl() throws SQLException {
        try (Connection c = PostgresTestSchema.administration();
                var rs = c.getMetaData().getTables(null, databases.schema(), "users", null)) {
            assertThat(rs.next())
                    .as("table %s.users exists", databases.schema())
                    .isTrue();
        }
    }

    @Test
    void anUnreachableDatabaseFailsWithAMessageThatNamesItButNotThePassword() {
        assertThatThrownBy(() ->
                        Database.open("jdbc:postgresql://127.0.0.1:1/test?password=hunter2", "postgres", "hunter2", 1))
                .isInstanceOf(StoreException.class)
                .hasMessage(
                        "Could not connect to the database at jdbc:postgresql://127.0.0.1:1/test as user 'postgres'")
                .hasMessageNotContaining("hunter2");
    }
}
