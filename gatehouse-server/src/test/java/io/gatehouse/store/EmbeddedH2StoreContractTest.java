package io.gatehouse.store;

/** The store contract on the embedded H2 database, in a fresh data directory per test. */
class EmbeddedH2StoreContractTest extends StoreContractTest {
    EmbeddedH2StoreContractTest() {
        super(TestDatabases.embeddedH2());
    }
}
