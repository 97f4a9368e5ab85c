package io.gatehouse.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gatehouse.testing.TestGatehouse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The signature check of docs/webhooks.md, as written there: the {@code verify} function of the
 * Django and of the FastAPI receiver, run by python3 on a real delivery of a real server. It
 * accepts the delivery, and refuses it under another secret, with a changed body, and with a
 * timestamp more than 5 minutes old.
 */
class DocumentedReceiverCodeTest {
    static final Path DOC = Path.of("..", "docs", "webhooks.md");
    /** The channel proxy's Django and FastAPI code checks its calls' signature the same way. */
    static final Path PROXY_DOC = Path.of("..", "docs", "integrations.md");

    static final Pattern PYTHON_BLOCK = Pattern.compile("```python\n(.*?)```", Pattern.DOTALL);
    static final Pattern VERIFY = Pattern.compile("(def verify\\(.*?)\n\n", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theDocumentedVerifyFunctionsAcceptARealDeliveryAndRefuseForgeries() throws Exception {
        List<String> functions = verifyFunctions(DOC);
        assertThat(functions)
                .as("a verify function in the Django and the FastAPI code")
                .hasSize(2);
        List<String> proxyFunctions = verifyFunctions(PROXY_DOC);
        assertThat(proxyFunctions)
                .as("a verify function in the Django and the FastAPI proxy code of integrations.md")
                .hasSize(2);
        functions = new ArrayList<>(functions);
        functions.addAll(proxyFunctions);
        WebhookReceiver.Delivery delivery;
        try (WebhookReceiver receiver = new WebhookReceiver(WebhooksTest.SECRET);
                TestGatehouse g = WebhooksTest.server(receiver).start()) {
            g.connectAs("alice").close();
            await().atMost(WebhooksTest.WAIT).until(() -> !receiver.raw.isEmpty());
            delivery = receiver.raw.get(0);
        }
        Path body = Files.write(dir.resolve("body"), delivery.body());
        String header = delivery.signature();
        long t = Long.parseLong(header.substring(2, header.indexOf(',')));
        String v1 = header.substring(header.indexOf(",v1=") + 4);
        String old = "t=" + (t - 301) + ",v1=" + WebhookSignature.v1(WebhooksTest.SECRET, t - 301, read(body));
        // During a rotation: the new secret's signature first, then this receiver's (docs/webhooks.md).
        String rotated = WebhookSignature.header(
                List.of("the-next-secret-that-is-32-bytes-or-more", WebhooksTest.SECRET), t, read(body));
        Files.write(dir.resolve("tampered"), (read(body) + " ").getBytes(StandardCharsets.UTF_8));

        for (String verify : functions) {
            Path script = Files.writeString(
                    dir.resolve("check.py"),
                    "import hashlib, hmac, sys, time\n\n" + verify + "\n\n"
                            + "secret, header, old, body, tampered, rotated = sys.argv[1:7]\n"
                            + "body = open(body, 'rb').read()\n"
                            + "tampered = open(tampered, 'rb').read()\n"
                            + "print(verify(header, body, secret), verify(header, body, 'another-secret-of-32-bytes-at-least'),"
                            + " verify(header, tampered, secret), verify(old, body, secret), verify('', body, secret),"
                            + " verify(rotated, body, secret))\n");
            String out = python(
                    script.toString(),
                    WebhooksTest.SECRET,
                    header,
                    old,
                    body.toString(),
                    dir.resolve("tampered").toString(),
                    rotated);
            assertThat(out).as(verify).isEqualTo("True False False False False True");
        }
        assertThat(v1).matches("[0-9a-f]{64}");
    }

    private static List<String> verifyFunctions(Path doc) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher block = PYTHON_BLOCK.matcher(Files.readString(doc));
        while (block.find()) {
            Matcher verify = VERIFY.matcher(block.group(1));
            if (verify.find()) {
                out.add(verify.group(1));
            }
        }
        return out;
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    private static String python(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("python3"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("python3 did not finish in 30 s");
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    }
}
