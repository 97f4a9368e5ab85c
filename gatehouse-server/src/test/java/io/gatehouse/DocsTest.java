package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.NamespaceKey;
import io.gatehouse.protocol.RefusalCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The tables in docs/ are the code's tables: every refusal code and configuration key, as the code defines it. */
class DocsTest {
    static final Path DOCS = Path.of("..", "docs");

    static String words(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    @Test
    void protocolDocListsEveryRefusalCodeAsRefusalCodeDefinesIt() throws IOException {
        String doc = Files.readString(DOCS.resolve("protocol.md"));
        for (RefusalCode c : RefusalCode.values()) {
            String row = "| " + c.name() + " | " + c.closeCode() + " | " + c.httpStatus() + " | "
                    + words(c.clientAction()) + " | " + c.defaultHint().replace("|", "\\|") + " |";
            assertThat(doc).as("docs/protocol.md row for " + c).contains(row);
        }
    }

    @Test
    void configurationDocListsEveryKeyWithItsEnvironmentFormAndDefault() throws IOException {
        String doc = Files.readString(DOCS.resolve("configuration.md"));
        for (ConfigKey k : ConfigKey.values()) {
            String row = "| `" + k.key() + "` | `" + k.envName() + "` | " + words(k.type()) + " | "
                    + (k.defaultValue().isEmpty() ? "(empty)" : "`" + k.defaultValue() + "`") + " | " + k.description()
                    + " |";
            assertThat(doc).as("docs/configuration.md row for " + k.key()).contains(row);
        }
        for (NamespaceKey k : NamespaceKey.values()) {
            assertThat(doc)
                    .contains("| `channels.namespaces.NAME." + k.key() + "` | " + words(k.type()) + " | `"
                            + k.defaultValue() + "` |");
        }
    }
}
