package io.gatehouse.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatehouse.DataDirectory;
import io.gatehouse.testing.ChildJvm;
import io.gatehouse.testing.Jwts;
import io.gatehouse.testing.RedisTestKeys;
import io.gatehouse.testing.WsRecorder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse cluster} in its own JVM, as an operator runs it: nodes on free ports sharing the
 * real Redis (a key prefix of this run) and the real PostgreSQL (a schema of this run).
 */
class ClusterCommandTest {
    static final String REDIS_URL = "redis://127.0.0.1:6379/0";
    static final String POSTGRES_URL =
            System.getenv().getOrDefault("TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String POSTGRES_USER = System.getenv().getOrDefault("TEST_POSTGRES_USER", "postgres");
    static final Duration LIMIT = Duration.ofSeconds(120);
    static final Pattern NODE_LINE = Pattern.compile("node (\\d+): (http://\\S+) \\(pid (\\d+)\\)");

    final String prefix = "gatehouse-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
    final String schema = "gatehouse_test_" + UUID.randomUUID().toString().replace("-", "");

    @TempDir
    Path dir;

    Path config;
    Path stderr;
    Process cluster;

    @BeforeEach
    void schemaAndConfig() throws Exception {
        execute("CREATE SCHEMA " + schema);
        config = dir.resolve("gatehouse.yaml");
        Files.writeString(
                config,
                "database:\n  url: " + POSTGRES_URL + "?currentSchema=" + schema + "\n  username: " + POSTGRES_USER
                        + "\n");
        stderr = dir.resolve("cluster.err");
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (cluster != null) {
            cluster.descendants().forEach(ProcessHandle::destroyForcibly);
            cluster.destroyForcibly();
        }
        RedisTestKeys.deleteUnder(prefix);
        execute("DROP SCHEMA " + schema + " CASCADE");
    }

    /** The cluster's start-up: 'node K: URL (pid P)' for each node, up to its 'cluster:' line. */
    record Started(List<String> urls, List<Long> pids, String clusterLine) {}

    Started startCluster(int nodes) throws Exception {
        ProcessBuilder builder = ChildJvm.gatehouse(
                        "cluster",
                        "--nodes",
                        String.valueOf(nodes),
                        "--base-port",
                        "0",
                        "--redis",
                        REDIS_URL,
                        "--prefix",
                        prefix,
                        "--config",
                        config.toString(),
                        "--data-dir",
                        dir.resolve("data").toString())
                .redirectError(stderr.toFile());
        builder.environment().remove("GATEHOUSE_AUTH_JWT_SECRET"); // the data directory's secret is the shared one
        cluster = builder.start();
        BlockingQueue<String> lines = ChildJvm.linesOf(cluster.getInputStream());
        List<String> urls = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        List<String> seen = new ArrayList<>();
        while (true) {
            String line = lines.poll(LIMIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(line)
                    .as("output so far %s; stderr %s", seen, Files.readString(stderr))
                    .isNotNull();
            seen.add(line);
            Matcher m = NODE_LINE.matcher(line);
            if (m.matches()) {
                assertThat(Integer.parseInt(m.group(1))).isEqualTo(urls.size() + 1);
                urls.add(m.group(2));
                pids.add(Long.parseLong(m.group(3)));
            }
            if (line.startsWith("cluster: ")) {
                return new Started(urls, pids, line);
            }
        }
    }

    @Test
    void aPublicationThroughNodeOneReachesASubscriberOnNodeTwoAndSigtermStopsEveryNode() throws Exception {
        Started started = startCluster(2);
        assertThat(started.urls()).hasSize(2).doesNotHaveDuplicates();
        assertThat(started.clusterLine())
                .startsWith("cluster: 2 nodes on Redis " + REDIS_URL + " (prefix " + prefix + ")")
                .contains("database " + POSTGRES_URL + ";")
                .doesNotContain("currentSchema");
        assertThat(cluster.children().map(ProcessHandle::pid).toList())
                .containsExactlyInAnyOrderElementsOf(started.pids());

        // Both nodes verify tokens signed with the data directory's one generated secret.
        byte[] secret = Files.readString(dir.resolve("data").resolve(DataDirectory.JWT_SECRET_FILE))
                .strip()
                .getBytes(StandardCharsets.UTF_8);
        String key = apiKey();
        URI onNodeTwo = URI.create(started.urls().get(1).replace("http://", "ws://") + "/ws");
        try (WsRecorder subscriber =
                WsRecorder.connect(onNodeTwo, "Authorization", "Bearer " + Jwts.hs256(Jwts.claims("ada"), secret))) {
            subscriber.awaitEstablished();
            subscriber.subscribe("news");
            HttpResponse<String> published = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(started.urls().get(0) + "/api/v1/publish"))
                                    .header("Authorization", "apikey " + key)
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(
                                            "{\"channel\":\"news\",\"data\":{\"n\":42}}"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
            JsonNode message = subscriber.awaitType("message");
            assertThat(message.path("channel").asText()).isEqualTo("news");
            assertThat(message.path("data").path("n").asInt()).isEqualTo(42);
        }

        cluster.destroy(); // SIGTERM
        assertThat(cluster.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS))
                .as("cluster stopped")
                .isTrue();
        assertThat(cluster.exitValue()).as(Files.readString(stderr)).isZero();
        for (long pid : started.pids()) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
                    .as("node pid %s still running after the cluster stopped", pid)
                    .isFalse();
        }
        assertThat(Files.readString(stderr)).doesNotContain("Exception").doesNotContain(" ERROR ");
    }

    @Test
    void aNodeStopsWhenTheClusterIsKilledWithSigkill() throws Exception {
        Started started = startCluster(1);
        long node = started.pids().get(0);
        cluster.destroyForcibly(); // SIGKILL: the cluster runs no code, the node notices its parent is gone
        assertThat(cluster.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        Awaitility.await()
                .atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(ProcessHandle.of(node)
                                .map(ProcessHandle::isAlive)
                                .orElse(false))
                        .as("node pid %s is an orphan", node)
                        .isFalse());
    }

    @Test
    void anUnreachableRedisIsOneLineExitOneAndNoNodeStarts() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(
                new String[] {
                    "cluster",
                    "--redis",
                    "redis://127.0.0.1:1",
                    "--config",
                    config.toString(),
                    "--data-dir",
                    dir.resolve("data").toString()
                },
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertThat(exit).isEqualTo(1);
        assertThat(out.toString()).isEmpty();
        assertThat(err.toString().strip())
                .doesNotContain("\n")
                .startsWith("error: Redis at redis://127.0.0.1:1 (--redis) cannot be reached (")
                .endsWith("start Redis there or pass --redis URL");
    }

    @Test
    void theEmbeddedDatabaseIsRefusedAsAUsageError() {
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(
                new String[] {
                    "cluster",
                    "--database",
                    "",
                    "--data-dir",
                    dir.resolve("data").toString()
                },
                new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(exit).isEqualTo(GatehouseCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("cluster needs one PostgreSQL database for every node");
    }

    @Test
    void moreNodesThanOneMachineShouldRunAreAUsageError() {
        for (String n : new String[] {"0", "17", "100000"}) {
            StringWriter err = new StringWriter();
            int exit = GatehouseCommand.run(
                    new String[] {
                        "cluster",
                        "--nodes",
                        n,
                        "--data-dir",
                        dir.resolve("data").toString()
                    },
                    new PrintWriter(new StringWriter(), true),
                    new PrintWriter(err, true));
            assertThat(exit).as(n).isEqualTo(GatehouseCommand.EXIT_USAGE);
            assertThat(err.toString()).as(n).contains("--nodes must be 1 to 16");
        }
    }

    private String apiKey() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = GatehouseCommand.run(
                new String[] {
                    "apikey",
                    "create",
                    "--name",
                    "cluster-test",
                    "--config",
                    config.toString(),
                    "--data-dir",
                    dir.resolve("data").toString()
                },
                new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertThat(exit).as(err.toString()).isZero();
        return out.toString().strip();
    }

    private static void execute(String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(POSTGRES_URL, POSTGRES_USER, "");
                Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
