package io.gatehouse.testing;

import io.gatehouse.cli.GatehouseCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** The {@code gatehouse} command in a second JVM, as an operator runs it beside a server. */
public final class ChildJvm {
    private ChildJvm() {}

    /** {@code gatehouse ARGS...} on this JVM's Java and class path, with a small heap. */
    public static ProcessBuilder gatehouse(String... args) {
        return gatehouseWithHeap("256m", args);
    }

    /** {@code gatehouse ARGS...} with {@code -Xmx<heap>} (direct memory is bounded by it too). */
    public static ProcessBuilder gatehouseWithHeap(String heap, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-cp",
                System.getProperty("java.class.path"),
                GatehouseCommand.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** The lines of {@code stream}, read on a daemon thread, so a test can wait on them with a timeout. */
    public static BlockingQueue<String> linesOf(InputStream stream) {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                "child-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
