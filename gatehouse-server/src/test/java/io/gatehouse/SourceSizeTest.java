package io.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Small pieces: no main source file of any module, and no script of the browser client or of the
 * pages (their tests aside), is longer than {@value #MAX_LINES} lines.
 */
class SourceSizeTest {
    static final int MAX_LINES = 400;
    static final List<String> MODULES =
            List.of("gatehouse-protocol", "gatehouse-server", "gatehouse-tools", "gatehouse-client", "gatehouse-jmh");

    @Test
    void noMainSourceFileIsLongerThanFourHundredLines() throws IOException {
        int files = 0;
        for (String module : MODULES) {
            Path main = Path.of("..", module, "src", "main", "java");
            assertThat(main).as(module).isDirectory();
            try (Stream<Path> sources = Files.walk(main)) {
                List<Path> java =
                        sources.filter(p -> p.toString().endsWith(".java")).toList();
                files += java.size();
                for (Path p : java) {
                    assertThat(lines(p)).as(p.toString()).isLessThanOrEqualTo(MAX_LINES);
                }
            }
        }
        assertThat(files).isGreaterThan(200); // the walk found the sources, not an empty tree
    }

    @Test
    void noBrowserScriptIsLongerThanFourHundredLines() throws IOException {
        int files = 0;
        for (Path folder : List.of(Path.of("..", "clients", "js"), Path.of("src", "main", "resources", "web"))) {
            assertThat(folder).isDirectory();
            try (Stream<Path> sources = Files.walk(folder)) {
                List<Path> js = sources.filter(p -> p.toString().endsWith(".js"))
                        .filter(p -> !p.toString().contains("node_modules"))
                        .filter(p -> !p.startsWith(Path.of("..", "clients", "js", "test")))
                        .toList();
                files += js.size();
                for (Path p : js) {
                    assertThat(lines(p)).as(p.toString()).isLessThanOrEqualTo(MAX_LINES);
                }
            }
        }
        assertThat(files).isGreaterThan(10);
    }

    private static long lines(Path p) {
        try (Stream<String> lines = Files.lines(p)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
