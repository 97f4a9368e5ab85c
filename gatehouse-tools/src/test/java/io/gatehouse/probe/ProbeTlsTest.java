package io.gatehouse.probe;

import static io.gatehouse.probe.ProbeRun.probe;
import static org.assertj.core.api.Assertions.assertThat;

import io.gatehouse.probe.NaiveServer.Reaction;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code probe wss://} against a server with a self-signed certificate (made by the JDK's keytool
 * for {@code localhost}): refused with the way out named, accepted with {@code --cacert} holding
 * that certificate and not with another, and with {@code --insecure}, which every line then
 * admits.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProbeTlsTest {
    private static final String GOOD = "good-token";
    private static final String WAIT = "2s";
    private static final char[] PASSWORD = "probe-test".toCharArray();

    @TempDir
    static Path dir;

    static SSLContext serverTls;
    static Path serverCert;
    static Path otherCert;
    static SSLContext elsewhereTls;
    static Path elsewhereCert;

    @BeforeAll
    static void certificates() throws Exception {
        Path keystore = selfSigned("server");
        serverCert = dir.resolve("server.pem");
        selfSigned("other");
        otherCert = dir.resolve("other.pem");

        serverTls = serving(keystore);
        elsewhereTls = serving(selfSigned("elsewhere", "SAN=dns:elsewhere.invalid"));
        elsewhereCert = dir.resolve("elsewhere.pem");
    }

    /** A server-side TLS context with the key and certificate of {@code keystore}. */
    private static SSLContext serving(Path keystore) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        return tls;
    }

    @Test
    void aSelfSignedCertificateIsRefusedWithTheWayOutNamed() {
        try (NaiveServer server = tlsServer()) {
            ProbeRun run = probe(server.wss().toString(), "--token", GOOD, "--wait", WAIT);

            assertThat(run.exit()).as(run.toString()).isEqualTo(2);
            assertThat(run.err()).contains("TLS handshake with localhost:", "--cacert FILE (PEM)", "--insecure");
        }
    }

    @Test
    void cacertWithTheServersCertificateProbesIt() {
        try (NaiveServer server = tlsServer()) {
            ProbeRun run = probe(
                    server.wss().toString(),
                    "--token",
                    GOOD,
                    "--wait",
                    WAIT,
                    "--cacert",
                    serverCert.toString(),
                    "--json");

            assertThat(run.exit()).as(run.toString()).isNotEqualTo(2);
            assertThat(run.verdict(Scenario.TOKEN_IN_HEADER)).isEqualTo("SAFE");
            assertThat(run.row(Scenario.TOKEN_IN_HEADER).path("observed").asText())
                    .startsWith("upgraded");
            assertThat(run.json().has("tls_verified")).isFalse();
        }
    }

    @Test
    void cacertWithAnotherCertificateIsNoTrust() {
        try (NaiveServer server = tlsServer()) {
            ProbeRun run =
                    probe(server.wss().toString(), "--token", GOOD, "--wait", WAIT, "--cacert", otherCert.toString());

            assertThat(run.exit()).as(run.toString()).isEqualTo(2);
            assertThat(run.err()).contains("TLS handshake with localhost:");
        }
    }

    @Test
    void cacertStillChecksThatTheCertificateNamesTheHost() {
        try (NaiveServer elsewhere =
                NaiveServer.startTls(elsewhereTls, r -> r.carries(GOOD) ? Reaction.GREET : Reaction.HTTP_401)) {
            ProbeRun run = probe(
                    elsewhere.wss().toString(), "--token", GOOD, "--wait", WAIT, "--cacert", elsewhereCert.toString());

            assertThat(run.exit()).as(run.toString()).isEqualTo(2);
            assertThat(run.err())
                    .contains("TLS handshake with localhost:")
                    .contains("is not issued by one in " + elsewhereCert + ", or does not name the URL's host");
        }
    }

    @Test
    void underInsecureAnErrorMetWhileProbingSaysSoToo() {
        ProbeRun run = probe("wss://127.0.0.1:1/ws", "--insecure");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("[INSECURE: certificate not checked] error: cannot connect to 127.0.0.1:1");
    }

    @Test
    void insecureProbesTheServerAndSaysSoOnEveryLine() {
        try (NaiveServer server = tlsServer()) {
            ProbeRun table = probe(server.wss().toString(), "--token", GOOD, "--wait", WAIT, "--insecure");
            ProbeRun json = probe(server.wss().toString(), "--token", GOOD, "--wait", WAIT, "--insecure", "--json");

            assertThat(table.exit()).as(table.toString()).isNotEqualTo(2);
            List<String> lines = table.out().lines().toList();
            assertThat(lines).hasSizeGreaterThan(10);
            assertThat(lines).allSatisfy(l -> assertThat(l).startsWith("[INSECURE: certificate not checked] "));
            assertThat(table.out()).contains("valid token, Authorization header");
            assertThat(json.json().path("tls_verified").asBoolean(true)).isFalse();
            assertThat(json.json().path("warning").asText()).startsWith("--insecure:");
            assertThat(json.json().path("scenarios"))
                    .allSatisfy(row ->
                            assertThat(row.path("tls_verified").asBoolean(true)).isFalse());
            assertThat(json.verdict(Scenario.TOKEN_IN_HEADER)).isEqualTo("SAFE");
        }
    }

    @Test
    void theAbuseScenariosRunOverTlsTooTheSilentConnectionWithoutAHandshake() throws ProbeException {
        try (NaiveServer weak = NaiveServer.startTls(
                        serverTls,
                        r -> r.carries(GOOD) || !r.headers().containsKey("authorization")
                                ? Reaction.UNBOUNDED
                                : Reaction.CLOSE_4401)
                .withRequestTimeout(2_000)) {
            Map<String, ScenarioResult> rows = ProbeAbuseTest.rows(ProbeAbuseTest.probeInProcess(
                    new ProbeClient(ProbeTls.trusting(serverCert)), weak.wss(), GOOD, ProbeAbuseTest.SMALL));

            assertThat(rows.get("ping_flood").verdict().kind()).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("oversized_message").verdict().kind()).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("subscriptions").verdict().kind()).isEqualTo(Verdict.Kind.UNSAFE);
            assertThat(rows.get("refused_credentials").verdict().kind()).isEqualTo(Verdict.Kind.WARN);
            // Closed by the server's 2 s time-out: one never began TLS, the other stopped mid-header.
            for (String held : new String[] {"silent_connection", "half_sent_header"}) {
                assertThat(rows.get(held).verdict().kind()).as(held).isEqualTo(Verdict.Kind.WARN);
                assertThat(rows.get(held).observed()).as(held).startsWith("closed after");
            }
        }
    }

    @Test
    void tlsOptionsThatDoNotFitAreUsageErrors() throws Exception {
        Path notPem = Files.writeString(dir.resolve("not-a-certificate.txt"), "hello");
        try (NaiveServer server = tlsServer()) {
            String wss = server.wss().toString();
            assertUsage(
                    probe(wss, "--cacert", serverCert.toString(), "--insecure"),
                    "give --cacert or --insecure, not both");
            assertUsage(probe("ws://127.0.0.1:1/ws", "--insecure"), "--insecure is for wss:// URLs");
            assertUsage(
                    probe(wss, "--cacert", dir.resolve("missing.pem").toString()),
                    "--cacert: cannot read " + dir.resolve("missing.pem") + ": no such file");
            assertUsage(probe(wss, "--cacert", dir.toString()), "--cacert: cannot read " + dir + ": a directory");
            assertUsage(
                    probe(wss, "--cacert", notPem.toString()), "--cacert: " + notPem + " holds no X.509 certificate");
        }
    }

    private static void assertUsage(ProbeRun run, String error) {
        assertThat(run.exit()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(error);
    }

    private static NaiveServer tlsServer() {
        return NaiveServer.startTls(serverTls, r -> r.carries(GOOD) ? Reaction.GREET : Reaction.HTTP_401);
    }

    /**
     * A PKCS12 keystore {@code ALIAS.p12} in {@link #dir} with a self-signed EC certificate for
     * localhost and 127.0.0.1, and that certificate as {@code ALIAS.pem}.
     */
    private static Path selfSigned(String alias) throws Exception {
        return selfSigned(alias, "SAN=dns:localhost,ip:127.0.0.1");
    }

    /** As {@link #selfSigned(String)}, the certificate naming what {@code san} (keytool's -ext) says. */
    private static Path selfSigned(String alias, String san) throws Exception {
        Path keystore = dir.resolve(alias + ".p12");
        String password = new String(PASSWORD);
        keytool(List.of(
                "-genkeypair",
                "-alias",
                alias,
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                "CN=localhost",
                "-ext",
                san,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-keypass",
                password));
        keytool(List.of(
                "-exportcert",
                "-rfc",
                "-alias",
                alias,
                "-keystore",
                keystore.toString(),
                "-storepass",
                password,
                "-file",
                dir.resolve(alias + ".pem").toString()));
        return keystore;
    }

    private static void keytool(List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("keytool " + args + ": " + out).isZero();
    }
}
