package io.gatehouse.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * The {@code data} of a bench publication, {@code {"sent_ns":T,"seq":N,"pad":"xx…"}}: the bench's
 * {@code System.nanoTime()} when it sent the publish request, its sequence number, and padding
 * up to the asked size. Subscribers read the two numbers straight from the frame's bytes with a
 * {@link Reader} (hundreds of thousands of frames a second leave no time for a JSON parse); a
 * frame without {@code "sent_ns":} is not a publication.
 */
final class BenchPayload {
    static final byte[] SENT_NS = "\"sent_ns\":".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SEQ = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final String PAD_FIELD = ",\"pad\":\"\"";
    /** A field that is absent or not a non-negative integer. */
    static final long ABSENT = -1;

    private BenchPayload() {}

    /**
     * The data JSON, {@code bytes} long when that is more than the two numbers need (about 40
     * bytes), else just the numbers.
     */
    static String json(long seq, long sentNanos, int bytes) {
        String numbers = "{\"sent_ns\":" + sentNanos + ",\"seq\":" + seq;
        int padding = bytes - numbers.length() - PAD_FIELD.length() - 1;
        if (padding < 0) {
            return numbers + "}";
        }
        return numbers + ",\"pad\":\"" + "x".repeat(padding) + "\"}";
    }

    /**
     * Reads {@code sent_ns} and {@code seq} out of message frames. The numbers come early in a
     * frame (after the envelope's type, channel, offset and epoch), so only the first
     * {@link #WINDOW_BYTES} are copied and searched, whatever the padding; a frame with them
     * further on is copied whole. Frames of one channel differ little before the data, so the
     * search starts where the last frame had {@code "sent_ns":}, and {@code seq} is looked for
     * right after its number. One per connection: only its event loop uses it.
     */
    static final class Reader {
        static final int WINDOW_BYTES = 512;

        private final byte[] window = new byte[WINDOW_BYTES];
        /** Where the last frame had "sent_ns":. */
        private int hint;

        private long sentNanos;
        private long seq;

        /** Whether {@code text} is a bench publication; if so, {@link #sentNanos()} and {@link #seq()} are its numbers. */
        boolean read(ByteBuf text) {
            int length = Math.min(text.readableBytes(), WINDOW_BYTES);
            text.getBytes(text.readerIndex(), window, 0, length);
            if (read(window, length)) {
                return true;
            }
            if (length == text.readableBytes()) {
                return false;
            }
            byte[] all = ByteBufUtil.getBytes(text);
            return read(all, all.length);
        }

        private boolean read(byte[] bytes, int length) {
            int at = startsAt(bytes, length, SENT_NS, hint)
                    ? hint
                    : startsAt(bytes, length, SENT_NS, hint + 1)
                            ? hint + 1 // the offset gained a digit
                            : indexOf(bytes, length, SENT_NS, 0);
            if (at < 0) {
                return false;
            }
            hint = at;
            int numberEnd = numberEnd(bytes, at + SENT_NS.length, length);
            sentNanos = digits(bytes, at + SENT_NS.length, length);
            int seqAt = startsAt(bytes, length, SEQ, numberEnd + 1)
                    ? numberEnd + 1 // {"sent_ns":T,"seq":N
                    : indexOf(bytes, length, SEQ, 0);
            seq = seqAt < 0 ? ABSENT : digits(bytes, seqAt + SEQ.length, length);
            return sentNanos != ABSENT;
        }

        long sentNanos() {
            return sentNanos;
        }

        /** The publication's seq, or {@link #ABSENT}. */
        long seq() {
            return seq;
        }
    }

    /** Whether {@code key} is at {@code at} in {@code bytes[0, length)}. */
    static boolean startsAt(byte[] bytes, int length, byte[] key, int at) {
        if (at < 0 || at + key.length > length) {
            return false;
        }
        for (int k = 0; k < key.length; k++) {
            if (bytes[at + k] != key[k]) {
                return false;
            }
        }
        return true;
    }

    /** Where the digits starting at {@code from} (after optional spaces) end. */
    private static int numberEnd(byte[] bytes, int from, int length) {
        int i = from;
        while (i < length && bytes[i] == ' ') {
            i++;
        }
        while (i < length && bytes[i] >= '0' && bytes[i] <= '9') {
            i++;
        }
        return i;
    }

    /** Where {@code key} first starts in {@code bytes[from, length)}, or -1. */
    static int indexOf(byte[] bytes, int length, byte[] key, int from) {
        byte first = key[0];
        int last = length - key.length;
        outer:
        for (int i = Math.max(0, from); i <= last; i++) {
            if (bytes[i] != first) {
                continue;
            }
            for (int k = 1; k < key.length; k++) {
                if (bytes[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Where {@code key} first starts in the readable bytes of {@code text}, or -1. For the rare frames and headers. */
    static int indexOf(ByteBuf text, byte[] key) {
        int last = text.writerIndex() - key.length;
        outer:
        for (int i = text.indexOf(text.readerIndex(), text.writerIndex(), key[0]);
                i >= 0 && i <= last;
                i = text.indexOf(i + 1, text.writerIndex(), key[0])) {
            for (int k = 1; k < key.length; k++) {
                if (text.getByte(i + k) != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The non-negative integer at {@code from} (after optional spaces), or {@link #ABSENT}. */
    static long digits(byte[] bytes, int from, int length) {
        int i = from;
        while (i < length && bytes[i] == ' ') {
            i++;
        }
        long value = 0;
        int start = i;
        for (; i < length && bytes[i] >= '0' && bytes[i] <= '9'; i++) {
            value = value * 10 + (bytes[i] - '0');
        }
        return i == start || i - start > 18 ? ABSENT : value;
    }
}
