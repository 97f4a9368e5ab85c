package io.gatehouse.tools;

import io.gatehouse.probe.AbuseLimits;
import io.gatehouse.probe.Probe;
import io.gatehouse.probe.ProbeClient;
import io.gatehouse.probe.ProbeException;
import io.gatehouse.probe.ProbeOptions;
import io.gatehouse.probe.ProbeReport;
import io.gatehouse.probe.ProbeTls;
import io.gatehouse.probe.ProbeTokens;
import io.gatehouse.probe.ScenarioResult;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "probe",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Probes a WebSocket endpoint (Gatehouse or any other) for the authentication",
            "mistakes that leak data. It connects once per scenario and prints what a safe",
            "server does, what this one did, and a verdict.",
            "",
            "Scenarios: no credential; a garbage token (a JWT signed with a random key);",
            "an expired token; a valid token in Authorization: Bearer, in the subprotocol",
            "gatehouse.bearer.<token> and in ?token=; a foreign Origin without and with",
            "the cookie; the cookie from the server's own Origin with its CSRF token",
            "(?csrf_token= and X-CSRF-Token) and without it. A scenario whose input is",
            "missing is skipped.",
            "",
            "With --abuse (loopback, or the host named by --abuse-host), also what one",
            "misbehaving client can make the server hold, each bounded and stopping by",
            "itself: a token taken from ?token= (WARN: it ends up in logs); a ping flood",
            "for 5 s without reading (up to 64 MiB); a 1 MiB message after signing in;",
            "1,000 subscriptions at 50/s (Gatehouse's protocol only); 50 refused",
            "credentials in a row; a silent TCP connection and a half-sent HTTP header,",
            "timed until closed (WARN past 30 s, UNSAFE still open at 65 s).",
            "",
            "Verdicts:",
            "  SAFE        behaved as a safe server does.",
            "  UNSAFE      accepted what it must refuse (still open after --wait): no",
            "              credential, a garbage or expired token, a cookie without its",
            "              CSRF token, a cookie or nothing from a foreign Origin; with",
            "              --abuse also let one client take what a safe server bounds",
            "              (a flood read, 1 MiB taken, 1,000 subscriptions, a silent",
            "              socket held 65 s).",
            "  UNREADABLE  refused in a way a browser cannot read: an HTTP status instead",
            "              of the upgrade, a close without a refusal code (4xxx, 3xxx,",
            "              1008) and a reason, a dropped connection. Refuse credentials by",
            "              completing the handshake and closing with 4401 and a reason.",
            "              Foreign Origins are the exception: HTTP 403 is right for them.",
            "  WARN        works, by a choice worth revisiting (the -> line says which,",
            "              with the fix): never a failure.",
            "  NOT_SUPPORTED  the valid token refused by one carrier (header,",
            "              subprotocol, ?token=) while another took it: a note, never",
            "              a failure.",
            "  SKIPPED     not run for want of an option; never a failure.",
            "A valid token refused readably by every carrier is SAFE on each: the carrier",
            "may be turned off, or the token not valid there.",
            "",
            "Exit status: 0 when no scenario was UNSAFE or UNREADABLE, 1 when any was UNSAFE",
            "or UNREADABLE, 2 on a usage error or when the server cannot be probed.",
            "See docs/probe.md.",
            ""
        })
final class ProbeCommand implements Callable<Integer> {
    static final String DEFAULT_FOREIGN_ORIGIN = "https://probe.invalid";
    static final Duration MAX_WAIT = Duration.ofMinutes(5);
    /** Begins every line of output under --insecure. */
    static final String INSECURE_PREFIX = "[INSECURE: certificate not checked] ";

    @Parameters(paramLabel = "URL", description = "The endpoint, ws:// or wss://, e.g. ws://127.0.0.1:8080/ws")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", description = "A valid token, for the valid-token scenarios.")
    String token;

    @Option(
            names = "--expired-token",
            paramLabel = "TOKEN",
            description = "An expired token, for the expired-token scenario.")
    String expiredToken;

    @Option(
            names = "--secret",
            paramLabel = "SECRET",
            description = "The server's HS256 secret (auth.jwt.secret): mints the expired token and, without --token,"
                    + " a valid one (sub gatehouse-probe, 5 minutes). For your own server only. A server that checks iss or aud"
                    + " refuses both; give --token and --expired-token then.")
    String secret;

    @Option(
            names = "--origin",
            paramLabel = "ORIGIN",
            defaultValue = DEFAULT_FOREIGN_ORIGIN,
            description = "The foreign Origin, one the server must not allow. Default: ${DEFAULT-VALUE}")
    String origin;

    @Option(
            names = "--own-origin",
            paramLabel = "ORIGIN",
            description =
                    "The Origin of the server's own pages, sent with the cookie. Default: the URL's, ws -> http, wss -> https")
    String ownOrigin;

    @Option(
            names = "--cookie",
            paramLabel = "COOKIE",
            description =
                    "A logged-in session's Cookie header, e.g. gh_session=ghs_... (POST /api/v1/auth/login sets it).")
    String cookie;

    @Option(
            names = "--csrf",
            paramLabel = "TOKEN",
            description = "The session's CSRF token (csrf_token of the login answer); needs --cookie.")
    String csrf;

    @Option(
            names = "--wait",
            paramLabel = "DURATION",
            defaultValue = "6s",
            description = "How long a connection that must be refused may stay open before it counts as accepted."
                    + " A server may wait for an in-band auth message and close at its timeout (Gatehouse: auth.timeout, 5s):"
                    + " set it above that. Default: ${DEFAULT-VALUE}")
    String waitText;

    @Option(
            names = "--cacert",
            paramLabel = "FILE",
            description = "wss:// only: trust the certificates in FILE (PEM), and only those, instead of the JVM's"
                    + " trust store: for a self-signed server or a private CA. The host name is still checked.")
    Path caCert;

    @Option(
            names = "--insecure",
            description = "wss:// only: do not check the server's certificate or host name, for a test server."
                    + " Every line of the table and of an error met while probing then says so (with --json:"
                    + " tls_verified false); never trust a verdict from it about a server that matters.")
    boolean insecure;

    @Option(
            names = "--abuse",
            description = "Also run the abuse scenarios: about 15 s against a server that bounds them, 65 s against one"
                    + " that holds silent connections, at most about two minutes with the default --wait. They flood and"
                    + " hold connections:"
                    + " only against loopback, or a host named by --abuse-host.")
    boolean abuse;

    @Option(
            names = "--abuse-host",
            paramLabel = "HOST",
            description = "The URL's host, named again, to run --abuse against a host that is not loopback: a"
                    + " server of your own.")
    String abuseHost;

    @Option(names = "--json", description = "Print the results as JSON instead of a table.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        ProbeOptions options = options();
        ProbeTls tls = tls(options.url());
        PrintWriter out = spec.commandLine().getOut();
        // Under --insecure every line says so, even one a server's text (a status, a close reason) broke in two.
        Consumer<String> line = tls.verifies()
                ? out::println
                : l -> {
                    for (String part : l.split("\\R", -1)) {
                        out.println(INSECURE_PREFIX + part);
                    }
                };
        if (!json) {
            line.accept("probing " + options.url() + " (--wait " + waitText + ")");
            out.flush();
        }
        ProbeReport report;
        try {
            report = new Probe(new ProbeClient(tls), Clock.systemUTC())
                    .run(options, json ? r -> {} : tableWriter(line, out));
        } catch (ProbeException e) {
            out.flush();
            String error = "error: " + e.getMessage();
            spec.commandLine()
                    .getErr()
                    .println(tls.verifies() ? error : INSECURE_PREFIX + error.replaceAll("\\R", " "));
            return GatehouseTools.EXIT_USAGE;
        }
        if (json) {
            out.print(report.json(tls.verifies()));
        } else {
            line.accept("");
            report.summary().forEach(line);
        }
        out.flush();
        return report.exitStatus();
    }

    /** Writes each row as it is judged, under a header written with the first: a server that cannot be reached gets none. */
    private static Consumer<ScenarioResult> tableWriter(Consumer<String> line, PrintWriter out) {
        AtomicBoolean started = new AtomicBoolean();
        return r -> {
            if (started.compareAndSet(false, true)) {
                line.accept(ProbeReport.tableHeader());
            }
            ProbeReport.tableRow(r).forEach(line);
            out.flush();
        };
    }

    /** How a wss:// server's certificate is checked; a {@link ParameterException} for options that do not fit. */
    private ProbeTls tls(URI target) {
        if (caCert != null && insecure) {
            throw usage("give --cacert or --insecure, not both: --cacert checks the certificate, --insecure does not");
        }
        if ((caCert != null || insecure) && !"wss".equalsIgnoreCase(target.getScheme())) {
            throw usage((insecure ? "--insecure" : "--cacert") + " is for wss:// URLs; " + target + " has no TLS");
        }
        if (insecure) {
            return ProbeTls.insecure();
        }
        if (caCert != null) {
            try {
                return ProbeTls.trusting(caCert);
            } catch (IllegalArgumentException e) {
                throw usage("--cacert: " + e.getMessage());
            }
        }
        return ProbeTls.system();
    }

    /** The options, checked; a {@link ParameterException} (exit 2, with usage) names the one that is wrong. */
    private ProbeOptions options() {
        URI target = target();
        Duration wait;
        try {
            wait = DurationArgument.parse(waitText);
        } catch (IllegalArgumentException e) {
            throw usage("--wait: " + e.getMessage());
        }
        if (wait.isZero() || wait.compareTo(MAX_WAIT) > 0) {
            throw usage("--wait must be longer than 0 and at most " + MAX_WAIT.toMinutes() + "m");
        }
        if (csrf != null && cookie == null) {
            throw usage("--csrf goes with --cookie: the CSRF token belongs to a cookie session");
        }
        for (String[] value : new String[][] {
            {"--token", token},
            {"--expired-token", expiredToken},
            {"--cookie", cookie},
            {"--csrf", csrf},
            {"--origin", origin},
            {"--own-origin", ownOrigin}
        }) {
            if (value[1] != null && (value[1].isBlank() || value[1].chars().anyMatch(c -> c < 0x20 || c == 0x7F))) {
                throw usage(value[0] + " must be one line of printable characters");
            }
        }
        String valid = token;
        String expired = expiredToken;
        if (secret != null) {
            if (secret.getBytes(StandardCharsets.UTF_8).length < ProbeTokens.MIN_SECRET_BYTES) {
                throw usage("--secret must be at least " + ProbeTokens.MIN_SECRET_BYTES + " bytes, as HS256 requires");
            }
            Instant now = Clock.systemUTC().instant();
            valid = valid != null ? valid : ProbeTokens.valid(secret, now);
            expired = expired != null ? expired : ProbeTokens.expired(secret, now);
        }
        return new ProbeOptions(
                target,
                valid,
                expired,
                origin,
                ownOrigin != null ? ownOrigin : ProbeOptions.ownOriginOf(target),
                cookie,
                csrf,
                wait,
                abuseLimits(target));
    }

    /** {@link AbuseLimits#DEFAULT} with --abuse, null without; a usage error for a host not named. */
    private AbuseLimits abuseLimits(URI target) {
        if (abuseHost != null && !abuse) {
            throw usage("--abuse-host goes with --abuse");
        }
        if (!abuse) {
            return null;
        }
        if (abuseHost != null) {
            if (!abuseHost.equalsIgnoreCase(target.getHost())) {
                throw usage("--abuse-host " + abuseHost + " is not the URL's host, " + target.getHost());
            }
        } else if (!loopback(target.getHost())) {
            throw usage("--abuse floods and holds connections: it runs against loopback only, unless you name the"
                    + " host: --abuse-host " + target.getHost());
        }
        return AbuseLimits.DEFAULT;
    }

    /** Whether every address {@code host} has is a loopback one (127.0.0.0/8, ::1). */
    private static boolean loopback(String host) {
        try {
            return Arrays.stream(InetAddress.getAllByName(host)).allMatch(InetAddress::isLoopbackAddress);
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private URI target() {
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            throw usage("URL '" + url + "' is not a valid URL: " + e.getReason());
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw usage("URL must start with ws:// or wss://, e.g. ws://127.0.0.1:8080/ws (got '" + url + "')");
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw usage("URL '" + url + "' has no host; e.g. ws://127.0.0.1:8080/ws");
        }
        if (u.getRawFragment() != null) {
            throw usage("URL must not have a #fragment: WebSocket URLs have none (RFC 6455 section 3)");
        }
        return u;
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
