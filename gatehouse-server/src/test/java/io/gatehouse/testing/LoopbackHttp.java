package io.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One HTTP/1.1 request over a fresh socket bound to a chosen loopback source address (127.0.0.2,
 * 127.0.3.235, ...), so that a test or a load program can be many real client IPs without a proxy.
 * {@code Connection: close}; the whole answer is read.
 */
public final class LoopbackHttp {
    private LoopbackHttp() {}

    /** The answer: status, the raw head (status line and headers), the body. */
    public record Answer(int status, String head, String body) {
        /** A header's value, or null; names are matched case-insensitively. */
        public String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        public JsonNode json() {
            try {
                return TestGatehouse.JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The {@code i}-th source address: 127.0.0.2, 127.0.0.3, ..., 127.0.0.255, 127.0.1.0, ... */
    public static InetAddress source(int i) {
        int n = i + 2;
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, (byte) (n >> 8), (byte) n});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON POST from {@code source}. */
    public static Answer post(InetAddress source, int port, String path, String json, String... headerLines) {
        return send(source, port, "POST", path, json, headerLines);
    }

    public static Answer get(InetAddress source, int port, String path, String... headerLines) {
        return send(source, port, "GET", path, null, headerLines);
    }

    private static Answer send(
            InetAddress source, int port, String method, String path, String json, String... headerLines) {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(source, 0));
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            s.setSoTimeout(120_000);
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(
                    method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n");
            if (json != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ")
                        .append(body.length)
                        .append("\r\n");
            }
            for (String h : headerLines) {
                head.append(h).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            String answerHead = end < 0 ? all : all.substring(0, end);
            String answerBody = end < 0 ? "" : all.substring(end + 4);
            String[] status = answerHead.split(" ", 3);
            return new Answer(status.length >= 2 ? Integer.parseInt(status[1]) : -1, answerHead, answerBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
