package io.gatehouse.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The memory of the server process under load, given its pid: resident set size from
 * {@code /proc/PID/status}, and, when that process is a JVM, its live heap from
 * {@code jcmd PID GC.class_histogram} (the total size of reachable objects; the command runs a
 * full collection first, so it is read only outside measured windows). A non-JVM server, such as
 * a Node.js peer, has RSS only.
 */
public final class ProcessMemory {
    private static final long JCMD_TIMEOUT_SECONDS = 60;

    private final long pid;

    public ProcessMemory(long pid) {
        this.pid = pid;
    }

    public long pid() {
        return pid;
    }

    /** VmRSS, in bytes. */
    public long residentBytes() throws IOException {
        return vmRssBytes(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    }

    /** Whether the process has the HotSpot library mapped, i.e. jcmd can ask it for its heap. */
    public boolean isJvm() {
        try (Stream<String> maps =
                Files.lines(Path.of("/proc", Long.toString(pid), "maps"), StandardCharsets.ISO_8859_1)) {
            return maps.anyMatch(line -> line.endsWith("/libjvm.so"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /**
     * Bytes of reachable objects after a full collection, or empty when the process is not a JVM
     * or jcmd cannot attach to it.
     */
    public OptionalLong liveHeapBytes() throws InterruptedException {
        if (!isJvm()) {
            return OptionalLong.empty();
        }
        try {
            Process jcmd = new ProcessBuilder(jcmd(), Long.toString(pid), "GC.class_histogram")
                    .redirectErrorStream(true)
                    .start();
            // The histogram lists every class; read it all so that jcmd never blocks on a full pipe.
            String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!jcmd.waitFor(JCMD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                jcmd.destroyForcibly();
                return OptionalLong.empty();
            }
            return jcmd.exitValue() == 0 ? histogramTotalBytes(output) : OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code VmRSS:  123456 kB} line of a {@code /proc/PID/status} text, in bytes. */
    static long vmRssBytes(String status) throws IOException {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                String[] fields = line.substring("VmRSS:".length()).trim().split("\\s+");
                if (fields.length == 2 && fields[1].equals("kB")) {
                    return Long.parseLong(fields[0]) * 1024;
                }
            }
        }
        throw new IOException("no VmRSS line in kB in /proc/PID/status");
    }

    /** The bytes column of the {@code Total  INSTANCES  BYTES} line that ends a class histogram. */
    static OptionalLong histogramTotalBytes(String histogram) {
        List<String> lines = new ArrayList<>(histogram.lines().toList());
        for (int i = lines.size() - 1; i >= 0; i--) {
            String[] fields = lines.get(i).trim().split("\\s+");
            if (fields.length == 3 && fields[0].equals("Total")) {
                try {
                    return OptionalLong.of(Long.parseLong(fields[2]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty();
                }
            }
        }
        return OptionalLong.empty();
    }

    /** The jcmd of the JDK running the bench, else the one on the PATH. */
    private static String jcmd() {
        Path own = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(own) ? own.toString() : "jcmd";
    }
}
