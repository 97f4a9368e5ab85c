package io.gatehouse.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.protocol.EncodedMessage;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
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

    /** The text frames written, read back with Netty's own WebSocket decoder (a client's). */
    List<String> written() {
        return writtenBy(channel);
    }

    /** The text frames {@code from} wrote, read back with Netty's own WebSocket decoder. */
    static List<String> writtenBy(EmbeddedChannel from) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false)
                .maxFramePayloadLength(1 << 20)
                .build()));
        Object m;
        while ((m = from.readOutbound()) != null) {
            client.writeInbound((ByteBuf) m);
        }
        List<String> out = new ArrayList<>();
        while ((m = client.readInbound()) != null) {
            TextWebSocketFrame f = (TextWebSocketFrame) m;
            assertThat(f.isFinalFragment()).isTrue();
            out.add(f.text());
            f.release();
        }
        client.finishAndReleaseAll();
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
    void textFramesAreTheBytesNettysServerEncoderWritesForEachHeaderLength() {
        for (int size : new int[] {0, 1, 125, 126, 200, 65_535, 65_536, 70_000}) {
            byte[] payload = "z".repeat(size).getBytes(StandardCharsets.UTF_8);
            EmbeddedChannel netty = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
            netty.writeOutbound(new TextWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(payload)));
            ByteBuf expected = io.netty.buffer.Unpooled.buffer();
            for (Object part; (part = netty.readOutbound()) != null; ) {
                expected.writeBytes((ByteBuf) part);
                ((ByteBuf) part).release();
            }
            ByteBuf ours = TextFrames.frame(payload, io.netty.buffer.ByteBufAllocator.DEFAULT);
            assertThat(ByteBufUtil.equals(ours, expected)).as("%d bytes", size).isTrue();
            ours.release();
            expected.release();
        }
    }

    @Test
    void oneMessageSentToManyConnectionsSharesOneFrameAndIsFreedWhenAllAreWritten() {
        EncodedMessage shared = text("to everyone");
        List<EmbeddedChannel> channels = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel c = new EmbeddedChannel();
            new Outbox(c, () -> {}).offer(shared);
            c.runPendingTasks();
            channels.add(c);
        }
        List<ByteBuf> frames = new ArrayList<>();
        for (EmbeddedChannel c : channels) {
            frames.add(c.readOutbound());
        }
        // Duplicates of one buffer: one count each, and one for this thread's last frame.
        assertThat(frames).allMatch(f -> f.refCnt() == 4);
        assertThat(frames).allMatch(f -> f.memoryAddress() == frames.get(0).memoryAddress());
        ByteBuf underlying = frames.get(0);
        frames.forEach(ByteBuf::release);
        assertThat(underlying.refCnt()).isEqualTo(1); // held by this thread's last frame only
        outbox.offer(text("next")); // the next message on this thread lets the last one go
        channel.runPendingTasks();
        assertThat(underlying.refCnt()).isZero();
        assertThat(written()).containsExactly("next");
    }

    @Test
    void onAWebSocketPipelineFramesStartAtTheEncoderNotAtTheTail() {
        List<String> passedTail = new ArrayList<>();
        EmbeddedChannel ws =
                new EmbeddedChannel(new WebSocket13FrameEncoder(false), new ChannelOutboundHandlerAdapter() {
                    @Override
                    public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                        passedTail.add(String.valueOf(msg));
                        ctx.write(msg, p);
                    }
                });
        Outbox o = new Outbox(ws, () -> {});
        o.offer(text("skips the handlers behind the encoder"));
        ws.runPendingTasks();
        assertThat(passedTail).isEmpty();
        ByteBuf frame = ws.readOutbound();
        assertThat(frame.getByte(0)).isEqualTo((byte) 0x81);
        frame.release();
        ws.finishAndReleaseAll();
    }

    @Test
    void framesQueuedWhileATaskWritesGoOutInOrderPartlyInTheNextTask() {
        int n = LoopQueue.MIN_PER_TASK * 2 + 7;
        List<String> expected = new ArrayList<>();
        expected.add("first");
        for (int i = 0; i < n; i++) {
            expected.add("b" + i);
        }
        AtomicInteger writes = new AtomicInteger();
        EmbeddedChannel busy = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                if (writes.getAndIncrement() == 0) {
                    // A sender queues a burst while the task is writing: the task takes its share
                    // (at least MIN_PER_TASK), the rest waits for a task after the loop's I/O.
                    Outbox self = outboxOf.get();
                    for (int i = 0; i < n; i++) {
                        self.offer(text("b" + i));
                    }
                }
                ctx.write(msg, p);
            }

            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.incrementAndGet();
                ctx.flush();
            }
        });
        outboxOf.set(new Outbox(busy, () -> {}));
        outboxOf.get().offer(text("first"));
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 6 && got.size() < n + 1; i++) {
            busy.runPendingTasks();
            got.addAll(writtenBy(busy));
        }
        assertThat(got).isEqualTo(expected);
        assertThat(flushes.get()).isGreaterThanOrEqualTo(2); // more than one task, each flushing what it wrote
    }

    @Test
    void aBurstToManyConnectionsLetsTheLoopsOtherTasksRunBetweenItsFlushes() throws Exception {
        int n = LoopQueue.FLUSHES_PER_TASK * 3 + 5;
        AtomicInteger flushed = new AtomicInteger();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            io.netty.channel.Channel server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                        }
                    })
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync()
                    .channel();
            Bootstrap clients = new Bootstrap()
                    .group(group)
                    .channel(NioSocketChannel.class)
                    .handler(new ChannelOutboundHandlerAdapter() {
                        @Override
                        public boolean isSharable() {
                            return true;
                        }

                        @Override
                        public void flush(ChannelHandlerContext ctx) {
                            flushed.incrementAndGet();
                            ctx.flush();
                        }
                    });
            List<io.netty.channel.Channel> channels = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                channels.add(clients.connect(server.localAddress()).sync().channel());
            }
            EventLoop loop = group.next();
            CompletableFuture<Integer> flushedWhenTheNextTaskRan = new CompletableFuture<>();
            loop.execute(() -> {
                for (io.netty.channel.Channel c : channels) {
                    new Outbox(c, () -> {}).offer(text("burst"));
                }
                // Queued behind the burst's task, as a publish's answer or a client's frame is.
                loop.execute(() -> flushedWhenTheNextTaskRan.complete(flushed.get()));
            });
            assertThat(flushedWhenTheNextTaskRan.get(10, TimeUnit.SECONDS)).isEqualTo(LoopQueue.FLUSHES_PER_TASK);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> flushed.get() == n);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    final java.util.concurrent.atomic.AtomicReference<Outbox> outboxOf =
            new java.util.concurrent.atomic.AtomicReference<>();

    @Test
    void closingWritesEveryFrameQueuedBeforeItEvenPastOneTasksShare() {
        int n = LoopQueue.MIN_PER_TASK + 10;
        for (int i = 0; i < n; i++) {
            outbox.offer(text("c" + i));
        }
        outbox.close(); // the close frame follows: nothing queued before may be left behind
        List<String> got = written();
        assertThat(got).hasSize(n);
        assertThat(got.get(n - 1)).isEqualTo("c" + (n - 1));
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
