package io.gatehouse.store;

import java.sql.SQLException;

/** The webhook store contract on a real PostgreSQL, each test in its own {@link PostgresTestSchema}. */
class WebhookStorePostgresTest extends WebhookStoreContractTest {
    private PostgresTestSchema schema;

    @Override
    protected void prepareEmptyDatabase() throws SQLException {
        schema = new PostgresTestSchema();
        schema.create();
    }

    @Override
    protected Database openDatabase() {
        return schema.open();
    }

    @Override
    protected void discardDatabase() throws SQLException {
        schema.drop();
    }
}
