package io.gatehouse.store;

/** The webhook store contract on the embedded H2 database, in a fresh data directory per test. */
class WebhookStoreEmbeddedH2Test extends WebhookStoreContractTest {
    WebhookStoreEmbeddedH2Test() {
        super(TestDatabases.embeddedH2());
    }
}
