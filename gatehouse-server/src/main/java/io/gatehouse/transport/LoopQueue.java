package io.gatehouse.transport;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Queue;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The text frames waiting for the connections of one event loop, in the order they were queued:
 * any thread queues them, and one task on the loop writes whatever has gathered, then flushes
 * each connection it wrote to once (write coalescing). A publication fanned out to thousands of
 * connections costs one task per loop, not one per connection, and one queue that stays in the
 * cache rather than a queue node in each connection's own. One per event loop, found by the
 * connection's {@link Outbox} as it is made on that loop's thread.
 *
 * <p>The flushes (a system call each) are what a burst costs; a task makes at most
 * {@link #FLUSHES_PER_TASK} of them and leaves the rest to a task scheduled after the loop's next
 * look at its sockets. So a burst to thousands of connections does not keep an HTTP publish, its
 * answer, or a client's message waiting until its end.
 */
final class LoopQueue {
    /**
     * A task writes what was queued when it started, and at least this many frames. Under a
     * sustained overload the queue is longer at each start, so each task writes more frames to each
     * connection per flush (coalescing grows with the load, as it must for a million frames a
     * second).
     */
    static final int MIN_PER_TASK = 1024;

    /**
     * Connections a task flushes at most before it lets the loop's other work run: a few
     * milliseconds of system calls on loopback.
     */
    static final int FLUSHES_PER_TASK = 64;

    /**
     * The queues of the calling thread's event loops: one for a Netty event-loop thread; in tests,
     * where many {@code EmbeddedChannel}s share one thread, one per channel, each drained only when
     * its channel runs its tasks. Weak: a loop that is gone takes its queue along.
     */
    private static final FastThreadLocal<Map<EventLoop, LoopQueue>> OF_THREAD = new FastThreadLocal<>() {
        @Override
        protected Map<EventLoop, LoopQueue> initialValue() {
            return new WeakHashMap<>(2);
        }
    };

    private record Frame(Outbox to, EncodedMessage message) {}

    private final EventLoop loop;
    private final Queue<Frame> frames = PlatformDependent.newMpscQueue();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Runnable writeTask = this::write;
    /** The connections written to since their last flush, first written first. Only on the loop. */
    private final ArrayDeque<Outbox> written = new ArrayDeque<>();
    /** Inside {@link #write}: a connection closing from within it does not write the rest again. */
    private boolean writing;

    private LoopQueue(EventLoop loop) {
        this.loop = loop;
    }

    /** The queue of {@code loop}, whose thread calls this. */
    static LoopQueue of(EventLoop loop) {
        return OF_THREAD.get().computeIfAbsent(loop, LoopQueue::new);
    }

    /** Queues {@code message} for {@code to}, whose channel is on {@code loop}. Any thread. */
    void offer(Outbox to, EncodedMessage message) {
        frames.offer(new Frame(to, message));
        if (!scheduled.get() && scheduled.compareAndSet(false, true)) {
            loop.execute(writeTask);
        }
    }

    /**
     * Writes what is queued (what was queued when it started, at least {@link #MIN_PER_TASK} frames)
     * and flushes the connections written to longest ago, at most {@link #FLUSHES_PER_TASK}; what is
     * left is for a task after the loop's next I/O pass. On the event loop. Run from within itself
     * (a connection closing as a frame is written, a test channel running its tasks as it flushes),
     * it writes nothing: the pass already running goes on, and looks again at its end.
     */
    void write() {
        write(Math.max(MIN_PER_TASK, frames.size()), FLUSHES_PER_TASK);
    }

    /**
     * Writes everything queued now and flushes every connection written to: for a connection about
     * to write its close frame, whose frames queued before must all go out first. On the event loop.
     */
    void writeAll() {
        write(Math.max(1, frames.size()), Integer.MAX_VALUE);
    }

    private void write(int max, int flushes) {
        if (writing) {
            scheduled.set(false); // this run is spent: the pass below makes sure of the next
            return;
        }
        writing = true;
        scheduled.set(false);
        try {
            Frame f;
            int n = 0;
            while (n < max && (f = frames.poll()) != null) {
                n++;
                if (f.to().write(f.message())) {
                    written.add(f.to());
                }
            }
            Outbox o;
            for (int i = 0; i < flushes && (o = written.poll()) != null; i++) {
                o.flushWritten();
            }
        } finally {
            writing = false;
        }
        if (!(frames.isEmpty() && written.isEmpty()) && scheduled.compareAndSet(false, true)) {
            // Scheduled, not executed: Netty runs due scheduled tasks after its next I/O pass, so a
            // burst does not hold up the sockets' reads and writes. A second task, if a sender made
            // one, finds nothing to do.
            loop.schedule(writeTask, 0, TimeUnit.NANOSECONDS);
        }
    }
}
