package io.gatehouse.store;

/** The access-log store contract on the embedded H2 database, in a fresh data directory per test. */
class AccessLogStoreEmbeddedH2Test extends AccessLogStoreContractTest {
    AccessLogStoreEmbeddedH2Test() {
        super(TestDatabases.embeddedH2());
    }
}
