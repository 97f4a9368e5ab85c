package io.gatehouse.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One HTTP request over its own socket with exactly the head a test gives: the HTTP version and
 * every header, Host included or left out (what a proxy sends, an HTTP/1.0 client). {@code
 * Connection: close}; the whole answer is read. For the JDK client, Host is not the caller's to set.
 */
public final class RawHttp {
    private RawHttp() {}

    /** The answer: status, the raw head, the body as JSON (null when empty). */
    public record Answer(int status, String head, JsonNode body) {
        /** The value of the cookie {@code name} this answer sets; fails if it sets none. */
        public String cookie(String name) {
            return setCookie(name).substring(name.length() + 1, setCookie(name).indexOf(';'));
        }

        /** The whole {@code Set-Cookie} line (without the header name) for {@code name}; fails if none. */
        public String setCookie(String name) {
            for (String line : head.split("\r\n")) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("set-cookie:") && line.substring(11).trim().startsWith(name + "=")) {
                    return line.substring(11).trim();
                }
            }
            throw new AssertionError("no " + name + " cookie in " + head);
        }
    }

    /**
     * Sends {@code method target HTTP/version}, {@code headerLines} as given, and for a POST the
     * JSON {@code body}, to {@code 127.0.0.1:port}.
     */
    public static Answer exchange(
            int port, String method, String target, String httpVersion, List<String> headerLines, String body) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(10_000);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method + " " + target + " HTTP/" + httpVersion + "\r\n");
            head.append("Connection: close\r\n");
            if (method.equals("POST")) {
                head.append("Content-Type: application/json\r\nContent-Length: ")
                        .append(bytes.length)
                        .append("\r\n");
            }
            headerLines.forEach(h -> head.append(h).append("\r\n"));
            head.append("\r\n");
            s.getOutputStream().write(head.toString().getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            String answerHead = end < 0 ? all : all.substring(0, end);
            String answerBody = end < 0 ? "" : all.substring(end + 4);
            JsonNode json = answerBody.isBlank() || !answerBody.trim().startsWith("{")
                    ? null
                    : TestGatehouse.JSON.readTree(answerBody);
            String[] status = answerHead.split(" ", 3);
            return new Answer(status.length >= 2 ? Integer.parseInt(status[1]) : -1, answerHead, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
