package io.gatehouse.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The webhook store contract on the embedded H2 database, in a fresh data directory per test. */
class WebhookStoreEmbeddedH2Test extends WebhookStoreContractTest {
    @TempDir
    Path dataDir;

    @Override
    protected void prepareEmptyDatabase() {
        // Database.open creates the file in dataDir.
    }

    @Override
    protected Database openDatabase() {
        return Database.open(Database.embeddedUrl(dataDir), "gatehouse", "", 2);
    }
}
