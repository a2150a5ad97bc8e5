package io.lambdaplatform.stack;

import io.lambdaplatform.stack.internal.ChildJvm;
import io.lambdaplatform.stack.internal.DataDirectory;
import io.lambdaplatform.stack.internal.ServerNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * A started local stack. {@link #close()} stops every server cleanly (SIGTERM, so Kafka and Cassandra run their
 * shutdown), kills what has not stopped after the stop timeout, and removes {@code endpoints.json}. Should this
 * JVM die without closing, the servers notice and stop by themselves. {@link #restart(String)} restarts one server
 * in place, for fault tests and rolling restarts.
 */
public final class RunningStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunningStack.class);

    private final DataDirectory dataDir;
    private final StackEndpoints endpoints;
    private final List<ServerNode> nodes;
    // Replaced, index by index, when a server is restarted.
    private final List<RunningServer> servers;
    private final List<ChildJvm> jvms;
    private final Duration startTimeout;
    private final Duration stopTimeout;
    private final AtomicBoolean closing = new AtomicBoolean();

    RunningStack(DataDirectory dataDir, StackEndpoints endpoints, List<ServerNode> nodes, List<RunningServer> servers, List<ChildJvm> jvms,
            Duration startTimeout, Duration stopTimeout) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.nodes = List.copyOf(requireNonNull(nodes, "nodes is null"));
        this.servers = new CopyOnWriteArrayList<>(requireNonNull(servers, "servers is null"));
        this.jvms = new CopyOnWriteArrayList<>(requireNonNull(jvms, "jvms is null"));
        this.startTimeout = requireNonNull(startTimeout, "startTimeout is null");
        this.stopTimeout = requireNonNull(stopTimeout, "stopTimeout is null");
        if (this.nodes.size() != this.servers.size() || this.nodes.size() != this.jvms.size()) {
            throw new IllegalArgumentException("nodes, servers and jvms differ in number: " + this.nodes.size() + ", " + this.servers.size() + ", " + this.jvms.size());
        }
    }

    public StackEndpoints endpoints() {
        return endpoints;
    }

    /** Kafka, Cassandra and S3Proxy (each node of a cluster), with their pids, start durations and log files. */
    public List<RunningServer> servers() {
        return List.copyOf(servers);
    }

    /**
     * Stops one server cleanly (SIGTERM) and starts it again on the same ports with the same data, waiting until
     * it accepts clients again, as an operator's rolling restart does. The endpoints stay valid.
     *
     * A server that was {@link #kill killed} is simply started again.
     *
     * @param name {@code kafka}, {@code cassandra} or {@code s3proxy}; in a cluster stack {@code cassandra-N} or
     *        {@code kafka-N} (N from 1), {@code s3proxy}
     * @return the server as it runs now, with its new pid
     * @throws IllegalArgumentException when the stack has no server of that name
     * @throws IllegalStateException when the stack is closing
     */
    public synchronized RunningServer restart(String name) {
        int index = indexOf(name, "restart");
        ServerNode node = nodes.get(index);
        ChildJvm old = jvms.get(index);
        Instant start = Instant.now();
        log.info("Restarting {} (pid {}{})", name, old.pid(), old.isAlive() ? "" : ", not running");
        old.requestStop();
        old.awaitStop(stopTimeout);
        ChildJvm fresh = node.launch();
        jvms.set(index, fresh);
        node.awaitReady(fresh, Instant.now().plus(startTimeout));
        RunningServer restarted = new RunningServer(name, fresh.pid(), fresh.startDuration(), fresh.logFile());
        servers.set(index, restarted);
        log.info("{} restarted in {} s (pid {})", name, LocalStack.seconds(Duration.between(start, Instant.now())), fresh.pid());
        return restarted;
    }

    /**
     * Kills one server at once, as {@code kill -9} does: no shutdown hook, no flush, no controlled shutdown. The
     * server stays down until {@link #restart(String)}; the others keep running.
     *
     * @param name as for {@link #restart(String)}
     * @return the server as it ran until now
     */
    public synchronized RunningServer kill(String name) {
        int index = indexOf(name, "kill");
        ChildJvm jvm = jvms.get(index);
        log.info("Killing {} (pid {}) with SIGKILL", name, jvm.pid());
        jvm.kill();
        return servers.get(index);
    }

    /**
     * Stops one server as {@code kill -STOP} does: it keeps its sockets open and answers nothing, as a server in a long
     * pause or starved of CPU does, which its clients cannot tell from a slow one. It stays so until {@link #resume(String)},
     * and then goes on where it stopped, as a zombie would: its peers' view of the cluster has moved on meanwhile.
     *
     * @param name as for {@link #restart(String)}
     */
    public synchronized RunningServer pause(String name) {
        return signal(indexOf(name, "pause"), "STOP");
    }

    /** Lets a {@link #pause paused} server go on ({@code kill -CONT}). */
    public synchronized RunningServer resume(String name) {
        return signal(indexOf(name, "resume"), "CONT");
    }

    private RunningServer signal(int index, String signal) {
        RunningServer server = servers.get(index);
        log.info("Sending SIG{} to {} (pid {})", signal, server.name(), server.pid());
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(server.pid())).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + server.pid() + " (" + server.name() + ") failed: " + output);
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException("Cannot run kill -" + signal + " for " + server.name(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while sending SIG" + signal + " to " + server.name(), e);
        }
        return server;
    }

    private int indexOf(String name, String action) {
        requireNonNull(name, "name is null");
        if (closing.get()) {
            throw new IllegalStateException("The stack in " + dataDir.path() + " is closing; cannot " + action + " " + name);
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("No server named " + name + " in this stack; known: " + nodes.stream().map(ServerNode::name).toList());
    }

    public Path dataDir() {
        return dataDir.path();
    }

    /** True once {@link #close()} has begun. */
    public boolean isClosing() {
        return closing.get();
    }

    /**
     * Blocks until any server's JVM exits, and returns that server. While the stack runs, that means the server
     * crashed; during {@link #close()} it is the expected end.
     */
    public RunningServer awaitServerExit() throws InterruptedException {
        List<ChildJvm> running = List.copyOf(jvms);
        List<RunningServer> described = List.copyOf(servers);
        CompletableFuture<?>[] exits = new CompletableFuture<?>[running.size()];
        for (int i = 0; i < running.size(); i++) {
            int index = i;
            exits[i] = running.get(i).onExit().thenApply(process -> described.get(index));
        }
        try {
            return (RunningServer) CompletableFuture.anyOf(exits).get();
        }
        catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("Waiting for the servers to exit failed", e.getCause());
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        Instant start = Instant.now();
        log.info("Stopping the local stack in {}", dataDir.path());
        synchronized (this) {
            stopAll(jvms, stopTimeout);
        }
        dataDir.close();
        log.info("Local stack stopped in {} s", LocalStack.seconds(Duration.between(start, Instant.now())));
    }

    /** Asks every JVM to stop at once, then waits for each, killing those that outlast the timeout. */
    static void stopAll(List<ChildJvm> jvms, Duration timeout) {
        for (ChildJvm jvm : jvms) {
            jvm.requestStop();
        }
        for (ChildJvm jvm : jvms) {
            Instant start = Instant.now();
            if (jvm.awaitStop(timeout)) {
                log.info("{} stopped in {} s", jvm.name(), LocalStack.seconds(Duration.between(start, Instant.now())));
            }
        }
    }
}
