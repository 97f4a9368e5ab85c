package io.gatehouse.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A server message already encoded as the UTF-8 bytes of one text frame. Fan-out encodes a
 * publication once and hands the same instance to every subscriber: nobody may modify
 * {@link #utf8()}.
 */
public record EncodedMessage(byte[] utf8) {
    public String text() {
        return new String(utf8, StandardCharsets.UTF_8);
    }
}
