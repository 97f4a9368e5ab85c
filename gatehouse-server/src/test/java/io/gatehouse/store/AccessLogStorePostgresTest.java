package io.gatehouse.store;

/** The access-log store contract on a real PostgreSQL, each test in its own {@link PostgresTestSchema}. */
class AccessLogStorePostgresTest extends AccessLogStoreContractTest {
    AccessLogStorePostgresTest() {
        super(TestDatabases.postgres());
    }
}
