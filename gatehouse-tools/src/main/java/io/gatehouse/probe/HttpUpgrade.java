package io.gatehouse.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The HTTP half of the probe's opening handshake (RFC 6455 §4.1): the upgrade request it writes,
 * the head of the server's answer, and the JSON body of a refusal. Written by hand, so that every
 * header the scenario asks for goes out as given and every status comes back as sent.
 */
final class HttpUpgrade {
    /** How long a refusal's body may take once its headers are in. */
    static final Duration BODY_TIMEOUT = Duration.ofSeconds(1);

    static final int MAX_HEAD_BYTES = 64 * 1024; // 64 KiB
    static final int MAX_BODY_BYTES = 4 * 1024; // 4 KiB: enough for a JSON refusal
    static final String USER_AGENT = "gatehouse-probe";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpUpgrade() {}

    /** The status line and headers of the answer (header names in lower case, first value of each). */
    record Head(int status, String statusText, Map<String, String> headers) {}

    /** The upgrade request for {@code attempt}, with {@code key} as its Sec-WebSocket-Key. */
    static String request(Attempt attempt, String key) {
        URI uri = attempt.uri();
        StringBuilder b = new StringBuilder()
                .append("GET ")
                .append(path(uri))
                .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                .append(" HTTP/1.1\r\n");
        header(b, "Host", ProbeOptions.authority(uri));
        header(b, "Upgrade", "websocket");
        header(b, "Connection", "Upgrade");
        header(b, "Sec-WebSocket-Key", key);
        header(b, "Sec-WebSocket-Version", "13");
        if (!attempt.subprotocols().isEmpty()) {
            header(b, "Sec-WebSocket-Protocol", String.join(", ", attempt.subprotocols()));
        }
        header(b, "User-Agent", USER_AGENT);
        attempt.headers().forEach((name, value) -> header(b, name, value));
        return b.append("\r\n").toString();
    }

    /** The URL's path as a request target, {@code /} when it has none (without the query). */
    static String path(URI uri) {
        return uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    }

    private static void header(StringBuilder b, String name, String value) {
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("the " + name + " header must be one line");
        }
        b.append(name).append(": ").append(value).append("\r\n");
    }

    /** The answer's status line and headers; an {@link EOFException} when the server closed first. */
    static Head readHead(DataInputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException();
            }
            if (buf.size() == MAX_HEAD_BYTES) {
                throw new IOException("the answer's headers are larger than " + MAX_HEAD_BYTES / 1024 + " KiB");
            }
            buf.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String[] lines = buf.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        String[] status = lines[0].split(" ", 3);
        if (status.length < 2 || !status[0].startsWith("HTTP/") || !status[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP answer: " + ProbeClient.abbreviate(lines[0]));
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(
                        lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return new Head(Integer.parseInt(status[1]), status.length > 2 ? status[2].trim() : "", headers);
    }

    /** The first JSON object in a refusal's body, as far as it came; a missing node when there is none. */
    static JsonNode readJsonBody(Socket socket, DataInputStream in, Head head) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            socket.setSoTimeout((int) BODY_TIMEOUT.toMillis());
            long length = head.headers().getOrDefault("content-length", "").matches("\\d{1,9}")
                    ? Long.parseLong(head.headers().get("content-length"))
                    : MAX_BODY_BYTES;
            byte[] chunk = new byte[512];
            while (body.size() < Math.min(length, MAX_BODY_BYTES)) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, Math.min(length, MAX_BODY_BYTES) - body.size()));
                if (n < 0) {
                    break;
                }
                body.write(chunk, 0, n);
            }
        } catch (IOException e) {
            // a body that stops short is read as far as it went
        }
        String text = body.toString(StandardCharsets.UTF_8);
        int open = text.indexOf('{');
        int close = text.lastIndexOf('}');
        if (open < 0 || close < open) {
            return JSON.missingNode();
        }
        try {
            return JSON.readTree(text.substring(open, close + 1));
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }
}
