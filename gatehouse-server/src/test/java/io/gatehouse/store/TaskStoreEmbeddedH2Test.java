package io.gatehouse.store;

/** The task store contract on the embedded H2 database, in a fresh data directory per test. */
class TaskStoreEmbeddedH2Test extends TaskStoreContractTest {
    TaskStoreEmbeddedH2Test() {
        super(TestDatabases.embeddedH2());
    }
}
