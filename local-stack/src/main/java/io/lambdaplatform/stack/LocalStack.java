package io.lambdaplatform.stack;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.stack.internal.CassandraNode;
import io.lambdaplatform.stack.internal.ChildJvm;
import io.lambdaplatform.stack.internal.DataDirectory;
import io.lambdaplatform.stack.internal.KafkaNode;
import io.lambdaplatform.stack.internal.LoopbackPorts;
import io.lambdaplatform.stack.internal.S3ProxyNode;
import io.lambdaplatform.stack.internal.ServerNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

/**
 * Starts real Kafka (KRaft), Cassandra and S3Proxy servers as child JVMs on loopback, each on free ports, with
 * their data, configuration and logs under one data directory:
 *
 * <pre>{@code
 * try (RunningStack stack = LocalStack.start(StackOptions.of(dataDir))) {
 *     StackEndpoints endpoints = stack.endpoints();
 *     ...
 * }
 * }</pre>
 *
 * The servers are launched together and each is waited for until it accepts clients; then the {@code events}
 * and {@code events.dlq} topics, the view schema and the bucket exist, and {@code endpoints.json} is written.
 */
public final class LocalStack {
    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    public static final String EVENTS_TOPIC = "events";
    public static final String DLQ_TOPIC = "events.dlq";
    private static final short SINGLE_NODE_REPLICATION = 1;

    private LocalStack() {}

    public static RunningStack start(StackOptions options) {
        DataDirectory dataDir = DataDirectory.lock(options.dataDir());
        List<ChildJvm> launched = new ArrayList<>();
        try {
            if (options.fresh()) {
                dataDir.wipe();
            }
            dataDir.prepare();
            Instant startedAt = Instant.now();
            Instant deadline = startedAt.plus(options.startTimeout());

            List<Integer> ports = LoopbackPorts.allocate(5);
            CassandraNode cassandra = new CassandraNode(dataDir.path(), ports.get(0), ports.get(1), schema(options));
            S3ProxyNode s3proxy = new S3ProxyNode(dataDir.path(), ports.get(2), options.bucket());
            KafkaNode kafka = new KafkaNode(dataDir.path(), ports.get(3), ports.get(4),
                    new TopicLayout(EVENTS_TOPIC, DLQ_TOPIC, options.partitions(), SINGLE_NODE_REPLICATION));
            // Cassandra first: it takes longest to come up.
            List<ServerNode> nodes = List.of(cassandra, s3proxy, kafka);
            for (ServerNode node : nodes) {
                launched.add(node.launch());
            }

            List<RunningServer> servers;
            ExecutorService waiters = Executors.newFixedThreadPool(nodes.size());
            try {
                List<CompletableFuture<RunningServer>> ready = new ArrayList<>();
                for (int i = 0; i < nodes.size(); i++) {
                    ServerNode node = nodes.get(i);
                    ChildJvm jvm = launched.get(i);
                    ready.add(CompletableFuture.supplyAsync(() -> awaitReady(node, jvm, deadline), waiters));
                }
                servers = join(ready);
            }
            finally {
                waiters.shutdownNow();
            }

            StackEndpoints endpoints = new StackEndpoints(
                    kafka.bootstrap(),
                    cassandra.contactPoint(),
                    CassandraNode.DATACENTER,
                    options.keyspace(),
                    s3proxy.endpoint(),
                    options.bucket(),
                    S3ProxyNode.ACCESS_KEY,
                    S3ProxyNode.SECRET_KEY,
                    S3ProxyNode.REGION,
                    EVENTS_TOPIC,
                    DLQ_TOPIC);
            endpoints.write(dataDir.endpointsFile());
            log.info("Local stack up in {} s; endpoints in {}", seconds(Duration.between(startedAt, Instant.now())), dataDir.endpointsFile());
            return new RunningStack(dataDir, endpoints, nodes, servers, launched, options.startTimeout(), options.stopTimeout());
        }
        catch (RuntimeException e) {
            RunningStack.stopAll(launched, options.stopTimeout());
            dataDir.close();
            throw e;
        }
    }

    private static Consumer<CqlSession> schema(StackOptions options) {
        return session -> Provisioning.applySchema(session, options.keyspace(), SINGLE_NODE_REPLICATION);
    }

    private static RunningServer awaitReady(ServerNode node, ChildJvm jvm, Instant deadline) {
        node.awaitReady(jvm, deadline);
        Duration took = jvm.startDuration();
        String provisioned = seconds(Duration.between(jvm.startedAt(), Instant.now()));
        jvm.appendToLog(node.name() + " accepted clients " + seconds(took) + " s after launch; provisioned after " + provisioned + " s");
        log.info("{} ready in {} s, provisioned after {} s (pid {}, log {})", node.name(), seconds(took), provisioned, jvm.pid(), jvm.logFile());
        return new RunningServer(node.name(), jvm.pid(), took, jvm.logFile());
    }

    private static List<RunningServer> join(List<CompletableFuture<RunningServer>> futures) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        }
        catch (CompletionException e) {
            // fall through: the first failure in launch order is reported below
        }
        List<RunningServer> servers = new ArrayList<>();
        for (CompletableFuture<RunningServer> future : futures) {
            try {
                servers.add(future.join());
            }
            catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException cause) {
                    throw cause;
                }
                throw new StackStartException("A server failed to start", e.getCause());
            }
        }
        return servers;
    }

    static String seconds(Duration duration) {
        return String.format(Locale.ROOT, "%.1f", duration.toMillis() / 1000.0);
    }
}
