package io.gatehouse.store;

/** The webhook store contract on a real PostgreSQL, each test in its own {@link PostgresTestSchema}. */
class WebhookStorePostgresTest extends WebhookStoreContractTest {
    WebhookStorePostgresTest() {
        super(TestDatabases.postgres());
    }
}
