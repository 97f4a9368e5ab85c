package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Write coalescing on an {@link EmbeddedChannel}: frames gathered before the loop runs share one flush. */
class OutboxTest {
    final AtomicInteger flushes = new AtomicInteger();
    final AtomicInteger slowConsumers = new AtomicInteger();
    final EmbeddedChannel channel = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
        @Override
        public void flush(ChannelHandlerContext ctx) {
            flushes.incrementAndGet();
            ctx.flush();
        }
    });
    final Outbox outbox = new Outbox(channel, slowConsumers::incrementAndGet);

    static EncodedMessage text(String s) {
        return new EncodedMessage(s.getBytes(StandardCharsets.UTF_8));
    }

    List<String> written() {
        List<String> out = new ArrayList<>();
        Object m;
        while ((m = channel.readOutbound()) != null) {
            TextWebSocketFrame f = (TextWebSocketFrame) m;
            out.add(f.text());
            f.release();
        }
        return out;
    }

    @Test
    void framesQueuedBeforeTheLoopRunsAreWrittenInOrderWithOneFlush() {
        for (int i = 0; i < 8; i++) {
            outbox.offer(text("m" + i));
        }
        assertThat(written()).isEmpty(); // nothing until the event loop drains
        channel.runPendingTasks();
        assertThat(written()).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7");
        assertThat(flushes).hasValue(1);
        outbox.offer(text("later"));
        channel.runPendingTasks();
        assertThat(written()).containsExactly("later");
        assertThat(flushes).hasValue(2);
    }

    @Test
    void aLargeBatchFlushesEvery64KiB() {
        String big = "x".repeat(16 * 1024);
        for (int i = 0; i < 8; i++) {
            outbox.offer(text(big));
        }
        channel.runPendingTasks();
        assertThat(written()).hasSize(8);
        assertThat(flushes).hasValue(2); // 128 KiB in 64 KiB flushes
    }

    @Test
    void closingWritesWhatWasQueuedAndTakesNothingAfter() {
        outbox.offer(text("before"));
        outbox.close();
        assertThat(written()).containsExactly("before");
        outbox.offer(text("after"));
        channel.runPendingTasks();
        assertThat(written()).isEmpty();
    }

    @Test
    void aSocketThatStaysFullAfterAFlushIsASlowConsumerAndTheRestIsDropped() {
        // A client that does not read: flushed frames never leave the outbound buffer.
        AtomicInteger writes = new AtomicInteger();
        EmbeddedChannel stuck = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise promise)
                    throws Exception {
                writes.incrementAndGet();
                super.write(ctx, msg, promise);
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                // never reaches the socket
            }
        });
        stuck.config().setOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1024, 2048));
        Outbox full = new Outbox(stuck, slowConsumers::incrementAndGet);
        String big = "y".repeat(40 * 1024);
        for (int i = 0; i < 4; i++) {
            full.offer(text(big));
        }
        stuck.runPendingTasks();
        assertThat(slowConsumers).hasValue(1);
        assertThat(writes).hasValue(2); // 80 KiB, one flush, still full: the other two are dropped
    }
}
