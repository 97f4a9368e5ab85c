package io.gatehouse.bench;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.gatehouse.protocol.ChannelName;
import io.gatehouse.protocol.ClientMessage;
import io.gatehouse.protocol.MessageType;
import io.gatehouse.protocol.WireCodec;
import io.netty.buffer.ByteBuf;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The wire protocol a bench connection speaks (`--protocol`): where it upgrades, what it sends
 * after the upgrade, and what a text frame from the server is. Publications are not recognised
 * here: {@link BenchPayload.Reader} finds {@code "sent_ns":} in the frame's first bytes whatever
 * wraps the message object, so both protocols keep the no-parse fast path.
 */
public enum BenchProtocol {
    /**
     * Gatehouse's own (docs/protocol.md), which the ws and Netty peers speak too: the handshake
     * counts at {@code connection_established}, the server pings with WebSocket ping frames.
     */
    GATEHOUSE("gatehouse") {
        private static final WireCodec CODEC = new WireCodec();
        private static final byte[] CONNECTION_ESTABLISHED = typeField(MessageType.CONNECTION_ESTABLISHED);
        private static final byte[] SUBSCRIBED = typeField(MessageType.SUBSCRIBED);

        @Override
        URI webSocketUri(BenchTarget target, String token) {
            return target.webSocketUri(token);
        }

        @Override
        Frame recognise(ByteBuf text) {
            // By the type field alone: at tens of thousands of handshakes a second the client must
            // not spend its core on JSON. Any other frame is read in full by the protocol module.
            if (BenchPayload.indexOf(text, CONNECTION_ESTABLISHED) >= 0) {
                return Frame.ESTABLISHED;
            }
            return BenchPayload.indexOf(text, SUBSCRIBED) >= 0 ? Frame.SUBSCRIBED : Frame.MESSAGE;
        }

        @Override
        String subscribe(ChannelName channel) {
            return CODEC.write(new ClientMessage.Subscribe(null, channel, null));
        }

        @Override
        String connect(String token) {
            throw new IllegalStateException("Gatehouse has no open packet to answer");
        }
    },

    /**
     * Socket.IO v5 over Engine.IO v4, WebSocket transport only, namespace {@code /}: the server
     * opens with {@code 0{...}}, the client connects with {@code 40{"token":...}} (the auth
     * payload), and the handshake counts at the server's {@code 40{"sid":...}}, which Socket.IO
     * sends only once its middlewares accepted the credential: authenticated and ready, as
     * Gatehouse's {@code connection_established} (a {@code connection_established} event after it
     * is ignored). {@code 44{...}} is a refusal; Engine.IO pings ({@code 2}) are answered {@code 3};
     * events are {@code 42["name",{...}]}.
     */
    SOCKETIO("socketio") {
        private static final byte[] SUBSCRIBED_EVENT = ascii("42[\"subscribed\",");
        private static final byte[] ERROR_EVENT = ascii("42[\"error\",");

        @Override
        URI webSocketUri(BenchTarget target, String token) {
            return target.webSocketUri(BenchTarget.SOCKET_IO_PATH + "?EIO=4&transport=websocket&token=", token);
        }

        @Override
        Frame recognise(ByteBuf text) {
            if (!text.isReadable()) {
                return Frame.IGNORED;
            }
            byte engineIo = text.getByte(text.readerIndex());
            byte socketIo = text.readableBytes() > 1 ? text.getByte(text.readerIndex() + 1) : 0;
            return switch (engineIo) {
                case '0' -> Frame.OPENED;
                case '1' -> Frame.FAILED; // Engine.IO close
                case '2' -> Frame.PING;
                case '4' ->
                    switch (socketIo) {
                        case '0' -> Frame.ESTABLISHED;
                        case '1', '4' -> Frame.FAILED; // DISCONNECT, CONNECT_ERROR
                        case '2' ->
                            startsWith(text, SUBSCRIBED_EVENT)
                                    ? Frame.SUBSCRIBED
                                    : startsWith(text, ERROR_EVENT) ? Frame.FAILED : Frame.IGNORED;
                        default -> Frame.IGNORED;
                    };
                default -> Frame.IGNORED;
            };
        }

        @Override
        String subscribe(ChannelName channel) {
            return "42[\"subscribe\",{\"channel\":" + quote(channel.value()) + "}]";
        }

        @Override
        String connect(String token) {
            return "40{\"token\":" + quote(token) + "}";
        }

        @Override
        String pong() {
            return "3";
        }
    };

    /** What a text frame from the server that is not a publication is. */
    enum Frame {
        /** The server's first frame, to be answered with {@link #connect}. */
        OPENED,
        /** Authenticated and ready: the handshake counts here. */
        ESTABLISHED,
        SUBSCRIBED,
        /** The server's heartbeat, to be answered with {@link #pong}. */
        PING,
        /** A refusal, an error or a close: the connection has failed, the frame says why. */
        FAILED,
        /** Any other Gatehouse message: read in full by the protocol module. */
        MESSAGE,
        /** Nothing the bench measures. */
        IGNORED
    }

    private final String optionName;

    BenchProtocol(String optionName) {
        this.optionName = optionName;
    }

    /** The name {@code --protocol} takes. */
    public String optionName() {
        return optionName;
    }

    /**
     * The protocol {@code --protocol NAME} names.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static BenchProtocol parse(String name) {
        return Arrays.stream(values())
                .filter(p -> p.optionName.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--protocol must be one of "
                        + Arrays.stream(values()).map(p -> p.optionName).collect(Collectors.joining(", "))));
    }

    /** Where a connection with {@code token} upgrades. */
    abstract URI webSocketUri(BenchTarget target, String token);

    /** What {@code text} is; its reader index is left as it was. */
    abstract Frame recognise(ByteBuf text);

    /** The subscribe request. */
    abstract String subscribe(ChannelName channel);

    /** The answer to {@link Frame#OPENED}. */
    abstract String connect(String token);

    /** The answer to {@link Frame#PING}. */
    String pong() {
        throw new IllegalStateException(optionName + " pings with WebSocket ping frames");
    }

    private static boolean startsWith(ByteBuf text, byte[] prefix) {
        if (text.readableBytes() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (text.getByte(text.readerIndex() + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String value) {
        return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(value)) + "\"";
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code "type":"NAME"}, as the frames of Gatehouse and the peers write it. */
    private static byte[] typeField(MessageType type) {
        return ascii("\"type\":\"" + type.wireName() + "\"");
    }
}
