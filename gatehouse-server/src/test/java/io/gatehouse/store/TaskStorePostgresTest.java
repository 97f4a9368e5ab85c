package io.gatehouse.store;

/** The task store contract on a real PostgreSQL, each test in its own {@link PostgresTestSchema}. */
class TaskStorePostgresTest extends TaskStoreContractTest {
    TaskStorePostgresTest() {
        super(TestDatabases.postgres());
    }
}
