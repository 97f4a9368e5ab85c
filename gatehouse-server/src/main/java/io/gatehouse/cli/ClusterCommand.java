package io.gatehouse.cli;

import io.gatehouse.config.ConfigKey;
import io.gatehouse.config.ConfigSources;
import io.gatehouse.config.GatehouseConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code gatehouse cluster}: several {@code serve} nodes on this machine, one JVM each, sharing one
 * Redis broker and one PostgreSQL database, for trying a deployment of several nodes. Child
 * processes rather than nodes in one JVM: each has its own heap, threads and signals, as in
 * production, a node can be killed ({@code kill -9 PID}) while the others go on, and its CPU and
 * memory can be measured apart ({@code bench --pid}).
 */
@Command(
        name = "cluster",
        mixinStandardHelpOptions = true,
        description = {
            "Runs N nodes (gatehouse serve, one JVM each) on this machine on consecutive ports,",
            "sharing one Redis broker and one PostgreSQL database, for trying several nodes.",
            "Each node's output is shown prefixed with node-K. Prints 'node K: URL' for each node",
            "once it listens, then a 'cluster:' line. Ctrl-C (SIGINT) or SIGTERM stops every node;",
            "a node that is killed stops the cluster only when it is the last one.",
            "The nodes share the data directory (its generated HS256 secret, so a token of",
            "'gatehouse token' works on each) unless auth.jwt.secret is configured. The database",
            "must be PostgreSQL: with the embedded H2 each node would have its own users and keys.",
            "Exits 1 with one line when Redis cannot be reached or a node does not start."
        })
final class ClusterCommand implements Callable<Integer> {
    static final String DEFAULT_REDIS = "redis://127.0.0.1:6379";
    static final String DEFAULT_DATABASE = "jdbc:postgresql://127.0.0.1:5432/gatehouse";
    /** How long a node may take to print its {@code listening on} line. */
    private static final Duration START_LIMIT = Duration.ofSeconds(60);
    /** How long a node may take to stop after SIGTERM before it is killed. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(30);

    @Mixin
    ConfigOptions config;

    /** Each node is a JVM of its own: more than this on one machine is a typo, not a trial. */
    static final int MAX_NODES = 16;

    @Option(
            names = "--nodes",
            paramLabel = "N",
            defaultValue = "3",
            description = "Nodes to run, 1 to " + MAX_NODES + ". Default: 3")
    int nodes;

    @Option(
            names = "--base-port",
            paramLabel = "PORT",
            defaultValue = "8081",
            description = "Port of node 1; node K listens on PORT+K-1. 0: each node picks a free port. Default: 8081")
    int basePort;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description = "Address the nodes listen on (server.host). Default: 127.0.0.1")
    String host;

    @Option(
            names = "--redis",
            paramLabel = "URL",
            description =
                    "The Redis broker (broker.url). Default: broker.url when it names Redis, else " + DEFAULT_REDIS)
    String redis;

    @Option(
            names = "--prefix",
            paramLabel = "PREFIX",
            description = "Redis key prefix of this deployment (broker.prefix). Default: gatehouse:")
    String prefix;

    @Option(
            names = "--database",
            paramLabel = "JDBC_URL",
            description = "The PostgreSQL database every node uses (database.url; user and password from"
                    + " database.username and database.password). Default: database.url when set, else "
                    + DEFAULT_DATABASE)
    String database;

    @Spec
    CommandSpec spec;

    private final List<ClusterNode> started = new ArrayList<>();
    private boolean stopped; // guarded by started

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || nodes > MAX_NODES) {
            throw new ParameterException(
                    spec.commandLine(), "--nodes must be 1 to " + MAX_NODES + " (each node is a JVM of its own)");
        }
        if (basePort < 0 || basePort + nodes - 1 > 65535) {
            throw new ParameterException(spec.commandLine(), "--base-port must leave a port for each node (0-65535)");
        }
        Map<ConfigKey, Object> shared = sharedSettings();
        GatehouseConfig cfg = config.load(shared);
        if (cfg.broker().inMemory()) {
            throw new ParameterException(spec.commandLine(), "cluster needs Redis: --redis redis://HOST:PORT");
        }
        if (cfg.database().embedded()) {
            throw new ParameterException(
                    spec.commandLine(), "cluster needs one PostgreSQL database for every node: --database JDBC_URL");
        }
        checkRedis(cfg.broker());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "gatehouse-cluster-shutdown"));
        StopSignals.install(stop::countDown);
        Map<String, String> environment = new java.util.HashMap<>();
        shared.forEach((key, value) -> environment.put(key.envName(), String.valueOf(value)));
        Path dataDir = cfg.dataDir().toAbsolutePath();
        try {
            // Node 1 alone first: it migrates the schema and creates the bootstrap admin once.
            start(1, dataDir, environment, out, err);
            for (int k = 2; k <= nodes; k++) {
                start(k, dataDir, environment, out, err);
            }
            for (int k = 2; k <= nodes; k++) {
                announce(k, out);
            }
        } catch (Exception e) {
            stopAll(); // a node that did not start stops those that did
            throw e;
        }
        List<CompletableFuture<Integer>> exits = new ArrayList<>();
        for (ClusterNode node : started) {
            exits.add(node.exit().whenComplete((status, e) -> {
                synchronized (started) {
                    if (!stopped) {
                        err.println("cluster: node " + node.number() + " ended with status " + status);
                        err.flush();
                    }
                }
            }));
        }
        CompletableFuture.allOf(exits.toArray(CompletableFuture[]::new)).thenRun(stop::countDown);
        out.println("cluster: " + nodes + " node" + (nodes == 1 ? "" : "s") + " on Redis "
                + cfg.broker().shownUrl()
                + " (prefix " + cfg.broker().keyPrefix() + ") and database "
                + withoutQuery(cfg.database().url())
                + "; Ctrl-C stops them all");
        out.flush();
        stop.await();
        return stopAll() ? 0 : GatehouseCommand.EXIT_FAILURE;
    }

    /** broker.url, broker.prefix and database.url as the nodes get them, through their environment. */
    private Map<ConfigKey, Object> sharedSettings() {
        Map<String, ConfigSources.Setting> configured = config.sources(Map.of()).settings();
        Map<ConfigKey, Object> shared = new EnumMap<>(ConfigKey.class);
        ConfigSources.Setting brokerUrl = configured.get(ConfigKey.BROKER_URL.key());
        String configuredRedis =
                brokerUrl == null ? "" : String.valueOf(brokerUrl.raw()).strip();
        shared.put(
                ConfigKey.BROKER_URL,
                redis != null ? redis : configuredRedis.startsWith("redis") ? configuredRedis : DEFAULT_REDIS);
        if (prefix != null) {
            shared.put(ConfigKey.BROKER_PREFIX, prefix);
        }
        ConfigSources.Setting databaseUrl = configured.get(ConfigKey.DATABASE_URL.key());
        String configuredDatabase =
                databaseUrl == null ? "" : String.valueOf(databaseUrl.raw()).strip();
        shared.put(
                ConfigKey.DATABASE_URL,
                database != null ? database : configuredDatabase.isEmpty() ? DEFAULT_DATABASE : configuredDatabase);
        return shared;
    }

    private void start(int k, Path dataDir, Map<String, String> environment, PrintWriter out, PrintWriter err)
            throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatehouseCommand.class.getName()));
        command.addAll(List.of("serve", ServeCommand.STOP_WITH_PARENT, "--data-dir", dataDir.toString()));
        command.addAll(List.of("--port", String.valueOf(basePort == 0 ? 0 : basePort + k - 1)));
        if (host != null) {
            command.addAll(List.of("--host", host));
        }
        if (config.configFile != null) {
            command.addAll(
                    List.of("--config", config.configFile.toAbsolutePath().toString()));
        }
        if (config.profile != null) {
            command.addAll(List.of("--profile", config.profile));
        }
        synchronized (started) {
            if (stopped) {
                throw new InterruptedException("stopped while starting");
            }
            started.add(ClusterNode.start(k, command, environment, out, err));
        }
        if (k == 1) {
            announce(1, out);
        }
    }

    private void announce(int k, PrintWriter out) throws InterruptedException {
        String url = started.get(k - 1).awaitListening(START_LIMIT);
        synchronized (out) {
            out.println("node " + k + ": " + url + " (pid " + started.get(k - 1).pid() + ")");
            out.flush();
        }
    }

    /** SIGTERM to every node, then waits for each; true when every node exited 0. Once. */
    private boolean stopAll() {
        List<ClusterNode> nodes;
        synchronized (started) {
            if (stopped) {
                return true;
            }
            stopped = true;
            nodes = List.copyOf(started);
        }
        nodes.forEach(ClusterNode::stop);
        boolean clean = true;
        for (ClusterNode node : nodes) {
            try {
                clean &= node.awaitStopped(STOP_LIMIT) == 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return clean;
    }

    /** This JVM's heap, system-property and -XX options (JAVA_OPTS), for the nodes; no agents or debuggers. */
    private static List<String> jvmOptions() {
        return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("-X") || a.startsWith("-D"))
                .filter(a -> !a.startsWith("-Xrunjdwp") && !a.startsWith("-Xdebug"))
                .toList();
    }

    /** Connects and sends PING, as a node would at its start, so a missing Redis is one line and no node starts. */
    private static void checkRedis(GatehouseConfig.Broker broker) {
        RedisClient client = null;
        try {
            RedisURI uri = RedisURI.create(broker.url());
            uri.setTimeout(Duration.ofSeconds(5));
            client = RedisClient.create(uri);
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(false)
                    .socketOptions(SocketOptions.builder()
                            .connectTimeout(Duration.ofSeconds(5))
                            .build())
                    .build());
            try (StatefulRedisConnection<String, String> c = client.connect()) {
                c.sync().ping();
            }
        } catch (RedisException | IllegalArgumentException e) {
            throw new CommandFailure("Redis at " + broker.shownUrl() + " (--redis) cannot be reached (" + innermost(e)
                    + "); start Redis there or pass --redis URL");
        } finally {
            if (client != null) {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    private static String innermost(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return text.replaceAll("\\s+", " ").strip();
    }

    /** A JDBC URL as it may be shown: without its query, which may hold a password. */
    private static String withoutQuery(String url) {
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
