package io.lambdaplatform.stack;

import io.lambdaplatform.stack.internal.ChildJvm;
import io.lambdaplatform.stack.internal.DataDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.util.Objects.requireNonNull;

/**
 * A started local stack. {@link #close()} stops every server cleanly (SIGTERM, so Kafka and Cassandra run their
 * shutdown), kills what has not stopped after the stop timeout, and removes {@code endpoints.json}. Should this
 * JVM die without closing, the servers notice and stop by themselves.
 */
public final class RunningStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RunningStack.class);

    private final DataDirectory dataDir;
    private final StackEndpoints endpoints;
    private final List<RunningServer> servers;
    private final List<ChildJvm> jvms;
    private final Duration stopTimeout;
    private final AtomicBoolean closing = new AtomicBoolean();

    RunningStack(DataDirectory dataDir, StackEndpoints endpoints, List<RunningServer> servers, List<ChildJvm> jvms, Duration stopTimeout) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
        this.servers = List.copyOf(requireNonNull(servers, "servers is null"));
        this.jvms = List.copyOf(requireNonNull(jvms, "jvms is null"));
        this.stopTimeout = requireNonNull(stopTimeout, "stopTimeout is null");
    }

    public StackEndpoints endpoints() {
        return endpoints;
    }

    /** Kafka, Cassandra and S3Proxy, with their pids, start durations and log files. */
    public List<RunningServer> servers() {
        return servers;
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
        CompletableFuture<?>[] exits = new CompletableFuture<?>[jvms.size()];
        for (int i = 0; i < jvms.size(); i++) {
            int index = i;
            exits[i] = jvms.get(i).onExit().thenApply(process -> servers.get(index));
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
        stopAll(jvms, stopTimeout);
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
