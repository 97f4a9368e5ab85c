package io.gatehouse.probe;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes a stream of bytes to a server on a thread of its own, so that a server which stops
 * reading cannot block the probe: it ends when the bytes are all written, the connection is cut,
 * the byte cap is reached, writes make no progress for a while, or time is up. On the last three
 * the writer may still be blocked: the caller then aborts the socket, which frees it.
 */
final class BoundedWrite {
    /** How often the writer's progress is looked at. */
    private static final Duration POLL = Duration.ofMillis(20);

    enum End {
        /** Every chunk was written. */
        DONE,
        /** A write failed: the server closed or reset the connection. */
        CUT,
        /** The byte cap was reached. */
        CAPPED,
        /** No write made progress for the stall time: the server stopped reading (TCP backpressure). */
        STALLED,
        /** Still writing when time was up. */
        OUT_OF_TIME
    }

    /** How the write ended, how many bytes went into the socket, and when. */
    record Result(End end, long bytes, Duration after) {}

    private BoundedWrite() {}

    static Result write(OutputStream out, Iterator<byte[]> chunks, long maxBytes, Duration maxTime, Duration stall) {
        AtomicLong written = new AtomicLong();
        AtomicBoolean cut = new AtomicBoolean();
        AtomicBoolean finished = new AtomicBoolean();
        Thread writer = new Thread(
                () -> {
                    try {
                        while (chunks.hasNext() && written.get() < maxBytes) {
                            byte[] chunk = chunks.next();
                            out.write(chunk);
                            written.addAndGet(chunk.length);
                        }
                        out.flush();
                    } catch (IOException e) {
                        cut.set(true);
                    }
                    finished.set(true);
                },
                "probe-write");
        writer.setDaemon(true);
        long start = System.nanoTime();
        writer.start();
        long lastBytes = -1;
        long lastProgress = start;
        while (true) {
            sleep();
            long now = System.nanoTime();
            long bytes = written.get();
            Duration after = Duration.ofNanos(now - start);
            if (cut.get()) {
                return new Result(End.CUT, bytes, after);
            }
            if (finished.get()) {
                return new Result(bytes >= maxBytes ? End.CAPPED : End.DONE, bytes, after);
            }
            if (bytes != lastBytes) {
                lastBytes = bytes;
                lastProgress = now;
            } else if (now - lastProgress >= stall.toNanos()) {
                return new Result(End.STALLED, bytes, after);
            }
            if (after.compareTo(maxTime) >= 0) {
                return new Result(End.OUT_OF_TIME, bytes, after);
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
