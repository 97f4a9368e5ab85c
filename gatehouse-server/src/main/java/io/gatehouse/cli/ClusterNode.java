package io.gatehouse.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One node of {@code gatehouse cluster}: a {@code gatehouse serve} in a JVM of its own, whose
 * standard output and error are copied to the cluster's with a {@code node-K | } prefix, and whose
 * {@code listening on URL} line tells that it is ready.
 */
final class ClusterNode {
    private static final String LISTENING = "listening on ";

    private final int number;
    private final Process process;
    /** Completed with the URL from the {@code listening on} line, or exceptionally when the node ends before it. */
    private final CompletableFuture<String> url = new CompletableFuture<>();

    private ClusterNode(int number, Process process) {
        this.number = number;
        this.process = process;
    }

    /** Starts node {@code number} with {@code command} and {@code environment} added to this process's. */
    static ClusterNode start(
            int number, List<String> command, Map<String, String> environment, PrintWriter out, PrintWriter err)
            throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        ClusterNode node = new ClusterNode(number, builder.start());
        node.copy(node.process.getInputStream(), out, true);
        node.copy(node.process.getErrorStream(), err, false);
        node.process
                .onExit()
                .thenRun(() -> node.url.completeExceptionally(new IllegalStateException(
                        "node " + number + " exited with status " + node.process.exitValue() + " before listening")));
        return node;
    }

    int number() {
        return number;
    }

    long pid() {
        return process.pid();
    }

    /** The node's URL once it listens; fails with a one-line message when it exits first or takes longer than {@code limit}. */
    String awaitListening(Duration limit) throws InterruptedException {
        try {
            return url.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CommandFailure(
                    e.getCause().getMessage() + " (its output is above, prefixed node-" + number + ")");
        } catch (TimeoutException e) {
            throw new CommandFailure("node " + number + " did not print its '" + LISTENING + "URL' line within "
                    + limit.toSeconds() + " s");
        }
    }

    /** Completes with the exit status when the node's process ends. */
    CompletableFuture<Integer> exit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /** Asks the node to stop (SIGTERM), as an operator stops {@code serve}. */
    void stop() {
        process.destroy();
    }

    /** Waits for the node to end, at most {@code limit}, then kills it; returns its exit status. */
    int awaitStopped(Duration limit) throws InterruptedException {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    private void copy(InputStream stream, PrintWriter to, boolean watchForUrl) {
        Thread copier = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = r.readLine(); line != null; line = r.readLine()) {
                            synchronized (to) {
                                to.println("node-" + number + " | " + line);
                                to.flush();
                            }
                            if (watchForUrl && line.startsWith(LISTENING)) {
                                url.complete(line.substring(LISTENING.length()).strip());
                            }
                        }
                    } catch (IOException ended) {
                        // The node's pipe closed: it has exited, which onExit reports.
                    }
                },
                "cluster-node-" + number + (watchForUrl ? "-out" : "-err"));
        copier.setDaemon(true);
        copier.start();
    }
}
