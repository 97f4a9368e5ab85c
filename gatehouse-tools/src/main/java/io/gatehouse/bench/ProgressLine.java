package io.gatehouse.bench;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * One line on a terminal, rewritten in place ({@code \r}) at most four times a second while a
 * scenario runs. Silent when the output is not a terminal, so logs and {@code --json} runs stay
 * clean. Only the thread running the scenario calls it.
 */
public final class ProgressLine {
    private static final long MIN_INTERVAL_NANOS = 250_000_000L; // 4 updates a second
    private static final String CLEAR_LINE = "\r\u001b[K";

    private final PrintWriter out;
    private long lastNanos;
    private boolean shown;

    private ProgressLine(PrintWriter out) {
        this.out = out;
    }

    /** Writes to {@code out} only when this process has a console (standard input and output are a terminal). */
    public static ProgressLine forConsole(PrintWriter out) {
        return System.console() != null ? new ProgressLine(out) : silent();
    }

    public static ProgressLine silent() {
        return new ProgressLine(null);
    }

    /** Shows the text unless the last update was less than 250 ms ago (and only then builds it). */
    public void update(Supplier<String> text) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (shown && now - lastNanos < MIN_INTERVAL_NANOS) {
            return;
        }
        lastNanos = now;
        shown = true;
        out.print(CLEAR_LINE + text.get());
        out.flush();
    }

    /** Removes the line, before the summary is printed. */
    public void clear() {
        if (out != null && shown) {
            out.print(CLEAR_LINE);
            out.flush();
            shown = false;
        }
    }
}
