package io.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RefusalCodeScriptTest {
    private static final Path CLIENT_TABLE = Path.of("..", "clients", "js", "refusal-codes.js");

    @Test
    void theBrowserClientsTableIsTheOneRefusalCodeWrites() throws IOException {
        String expected = RefusalCodeScript.render();
        if (Boolean.getBoolean("gatehouse.write-client-table")) {
            Files.writeString(CLIENT_TABLE, expected, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(CLIENT_TABLE, StandardCharsets.UTF_8))
                .as("clients/js/refusal-codes.js is stale: run mvn test -pl gatehouse-protocol"
                        + " -Dgatehouse.write-client-table=true")
                .isEqualTo(expected);
    }

    @Test
    void everyCodeHasAnEntryWithItsAction() {
        String js = RefusalCodeScript.render();
        for (RefusalCode code : RefusalCode.values()) {
            assertThat(js)
                    .contains("  " + code.name() + ": Object.freeze({ close: " + code.closeCode() + ", http: "
                            + code.httpStatus() + ", action: '"
                            + code.clientAction().name().toLowerCase(java.util.Locale.ROOT) + "'");
        }
    }
}
