package io.gatehouse.demo;

import io.gatehouse.Gatehouse;
import io.gatehouse.auth.PasswordHasher;
import io.gatehouse.auth.User;
import io.gatehouse.auth.UserIds;
import io.gatehouse.store.UserRecord;
import io.gatehouse.store.UserStore;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What {@code gatehouse demo} runs beside a node (SPEC §1), so that the dashboard shows live data
 * on first run: the local user {@value #USER} / {@value #PASSWORD} (created when missing, not an
 * admin), a publication to {@value #CHANNEL} every second ({@link DemoPublisher}), a task of the
 * demo user every 30 s ({@link DemoTasks}) and a few loopback clients, some of them refused
 * ({@link DemoTraffic}). Its threads are daemons named {@code gatehouse-demo-*}; {@link #close}
 * stops them all and must come before the node's own close (the clients leave before the node
 * drains).
 */
public final class Demo implements AutoCloseable {
    public static final String USER = "demo";
    public static final String PASSWORD = "demo";
    public static final String CHANNEL = "news";
    /** The name prefix of every demo thread. */
    public static final String THREAD_PREFIX = "gatehouse-demo-";

    /** What {@link #start} found of the demo user. */
    public enum UserState {
        /** Created now with the password {@value #PASSWORD}. */
        CREATED,
        /** It existed and {@value #PASSWORD} is its password. */
        EXISTS,
        /** It existed with another password, which is left as it is. */
        OTHER_PASSWORD
    }

    private final UserState userState;
    private final URI clientsUri;
    private final String localUrl;
    private final DemoPublisher publisher;
    private final DemoTasks tasks;
    private final DemoTraffic traffic;

    private Demo(UserState userState, String localUrl, DemoPublisher publisher, DemoTasks tasks, DemoTraffic traffic) {
        this.userState = userState;
        this.localUrl = localUrl;
        this.clientsUri = traffic.uri();
        this.publisher = publisher;
        this.tasks = tasks;
        this.traffic = traffic;
    }

    /**
     * Starts the publisher and the tasks on {@code node} (neither waits for the user), creates the
     * demo user when missing, then starts the traffic.
     */
    public static Demo start(Gatehouse node) {
        DemoPublisher publisher = new DemoPublisher(node.broker(), Clock.systemUTC());
        DemoTasks tasks = new DemoTasks(node.tasks(), UserIds.local(USER));
        publisher.start();
        tasks.start();
        try {
            UserStore users = new UserStore(node.database());
            UserState state = ensureUser(users);
            List<String> roles = users.find(USER).map(UserRecord::roles).orElse(List.of());
            DemoTraffic traffic = new DemoTraffic(
                    node.tokenIssuer(),
                    new User(UserIds.local(USER), USER, roles),
                    webSocketUri(node.url()),
                    node.config().limits());
            traffic.start();
            return new Demo(state, localUrl(node.url()), publisher, tasks, traffic);
        } catch (RuntimeException e) {
            tasks.close();
            publisher.close();
            throw e;
        }
    }

    private static UserState ensureUser(UserStore users) {
        PasswordHasher hasher = new PasswordHasher();
        if (users.add(new UserRecord(USER, List.of(), hasher.hash(PASSWORD.toCharArray()), Instant.now()))) {
            return UserState.CREATED;
        }
        String hash = users.find(USER).map(UserRecord::passwordHash).orElse(null);
        return hasher.verify(PASSWORD.toCharArray(), hash) ? UserState.EXISTS : UserState.OTHER_PASSWORD;
    }

    /**
     * {@code http://HOST:PORT} of the node on this machine: {@code 127.0.0.1} when it listens on every
     * address (a dual-stack socket takes IPv4 too), else the address it listens on, a local one.
     */
    static String localUrl(String nodeUrl) {
        URI base = URI.create(nodeUrl);
        String host = base.getHost();
        try {
            if (InetAddress.getByName(host).isAnyLocalAddress()) {
                host = "127.0.0.1";
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException("the node's own address " + host + " does not resolve", e);
        }
        return "http://" + host + ":" + base.getPort();
    }

    /** {@code ws://HOST:PORT/ws} of the node itself, HOST as in {@link #localUrl}: the traffic never leaves the machine. */
    static URI webSocketUri(String nodeUrl) {
        return URI.create(localUrl(nodeUrl).replaceFirst("^http", "ws") + "/ws");
    }

    public UserState userState() {
        return userState;
    }

    /**
     * The node's URL for a browser on this machine: {@code http://127.0.0.1:PORT} when it listens on
     * every address, else its own.
     */
    public String localUrl() {
        return localUrl;
    }

    /** Where the demo clients connect: this node's WebSocket endpoint on a local address. */
    public URI clientsUri() {
        return clientsUri;
    }

    /** Stops the traffic (its clients close with 1000), the tasks (one under way ends cancelled), the publisher. */
    @Override
    public void close() {
        try {
            traffic.close();
        } finally {
            try {
                tasks.close();
            } finally {
                publisher.close();
            }
        }
    }

    /** Daemon threads named {@code gatehouse-demo-NAME-N}. */
    static ThreadFactory threads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, THREAD_PREFIX + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * A timer on one daemon thread {@code gatehouse-demo-NAME-1}; what is scheduled and not yet due
     * is dropped at shutdown.
     */
    static ScheduledExecutorService timer(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, threads(name));
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Ends {@code executor}: what runs finishes (never interrupted mid-write), nothing new starts. */
    static void stop(ExecutorService executor) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                executor.shutdownNow();
                executor.awaitTermination(1, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
