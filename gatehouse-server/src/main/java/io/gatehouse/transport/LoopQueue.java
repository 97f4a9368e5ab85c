package io.gatehouse.transport;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The text frames waiting for the connections of one event loop, in the order they were queued:
 * any thread queues them, and one task on the loop writes whatever has gathered, then flushes
 * each connection it wrote to once (write coalescing). A publication fanned out to thousands of
 * connections costs one task per loop, not one per connection, and one queue that stays in the
 * cache rather than a queue node in each connection's own. One per event-loop thread, found by the
 * connection's {@link Outbox} as it is made on that thread.
 */
final class LoopQueue {
    /** Frames written by one task before it lets the loop's other work (reads, timers) run. */
    static final int MAX_PER_TASK = 16 * 1024;

    private static final FastThreadLocal<LoopQueue> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected LoopQueue initialValue() {
            return new LoopQueue();
        }
    };

    private record Frame(Outbox to, EncodedMessage message) {}

    private final Queue<Frame> frames = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable writeTask = this::write;
    /** The connections written to since their last flush. Only accessed on the loop. */
    private final List<Outbox> written = new ArrayList<>();
    /** Inside {@link #write}: a connection closing from within it does not write the rest again. */
    private boolean writing;

    private LoopQueue() {}

    /** The queue of the calling event-loop thread. */
    static LoopQueue ofThisLoop() {
        return OF_THREAD.get();
    }

    /** Queues {@code message} for {@code to}, whose channel is on {@code loop}. Any thread. */
    void offer(Outbox to, EncodedMessage message, EventLoop loop) {
        frames.offer(new Frame(to, message));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.execute(writeTask);
        }
    }

    /**
     * Writes what is queued (at most {@link #MAX_PER_TASK} frames, then the rest in a task of its
     * own) and flushes every connection it wrote to. On the event loop. Called from within itself
     * (a connection closing as a frame is written), it does nothing: the frames queued after that
     * one are written by the pass already running.
     */
    void write() {
        if (writing) {
            return;
        }
        writing = true;
        scheduled.set(false);
        try {
            Frame f;
            int n = 0;
            while ((f = frames.poll()) != null) {
                if (f.to().write(f.message())) {
                    written.add(f.to());
                }
                if (++n == MAX_PER_TASK && !frames.isEmpty()) {
                    if (scheduled.compareAndSet(false, true)) {
                        f.to().eventLoop().execute(writeTask);
                    }
                    break;
                }
            }
            for (int i = 0; i < written.size(); i++) {
                written.get(i).flushWritten();
            }
        } finally {
            written.clear();
            writing = false;
        }
    }
}
