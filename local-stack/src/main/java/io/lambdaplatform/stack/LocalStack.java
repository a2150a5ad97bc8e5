package io.lambdaplatform.stack;

import io.lambdaplatform.stack.internal.CassandraNode;
import io.lambdaplatform.stack.internal.CassandraRing;
import io.lambdaplatform.stack.internal.ChildJvm;
import io.lambdaplatform.stack.internal.ClusterSecurity;
import io.lambdaplatform.stack.internal.DataDirectory;
import io.lambdaplatform.stack.internal.KafkaCluster;
import io.lambdaplatform.stack.internal.KafkaNode;
import io.lambdaplatform.stack.internal.LoopbackHosts;
import io.lambdaplatform.stack.internal.LoopbackPorts;
import io.lambdaplatform.stack.internal.S3ProxyNode;
import io.lambdaplatform.stack.internal.SparkHome;
import io.lambdaplatform.stack.internal.SparkMasterNode;
import io.lambdaplatform.stack.internal.SparkWorkerNode;
import io.lambdaplatform.stack.internal.ServerNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;

/**
 * Starts real Kafka (KRaft), Cassandra and S3Proxy servers as child JVMs on loopback, each on free ports, with
 * their data, configuration and logs under one data directory; with {@link StackOptions#cluster()} a 3-node
 * Cassandra ring and 3 Kafka brokers on 127.0.0.1, 127.0.0.2 and 127.0.0.3 instead of one of each, and with
 * {@link StackOptions#secure()} those clusters secured (Kafka on SASL_SSL with SCRAM, Cassandra with passwords and TLS):
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
    // Heaps of the cluster stack's servers: three of each must fit two cores and 24 GiB beside the layers and tests.
    private static final String CLUSTER_CASSANDRA_HEAP = "768m";
    private static final String CLUSTER_KAFKA_HEAP = "384m";

    private LocalStack() {}

    public static RunningStack start(StackOptions options) {
        DataDirectory dataDir = DataDirectory.lock(options.dataDir());
        ChildJvm[] launched = new ChildJvm[0];
        try {
            if (options.fresh()) {
                dataDir.wipe();
            }
            dataDir.prepare();
            Instant startedAt = Instant.now();
            Instant deadline = startedAt.plus(options.startTimeout());

            StackLayout layout = options.cluster() ? clusterLayout(dataDir.path(), options) : singleLayout(dataDir.path(), options);
            List<ServerNode> nodes = layout.steps().stream().map(Step::node).toList();
            launched = new ChildJvm[nodes.size()];
            List<RunningServer> servers = launchAll(layout.steps(), launched, deadline);
            List<ChildJvm> jvms = List.of(launched);
            layout.formation().accept(jvms, deadline);

            StackEndpoints endpoints = layout.endpoints();
            endpoints.write(dataDir.endpointsFile());
            log.info("Local stack up in {} s; endpoints in {}", seconds(Duration.between(startedAt, Instant.now())), dataDir.endpointsFile());
            return new RunningStack(dataDir, endpoints, nodes, servers, jvms, options.startTimeout(), options.stopTimeout());
        }
        catch (RuntimeException e) {
            RunningStack.stopAll(Arrays.stream(launched).filter(Objects::nonNull).toList(), options.stopTimeout());
            dataDir.close();
            throw e;
        }
    }

    /** One server to start: once the server at index {@code after} accepts clients, or at once when it is -1. */
    private record Step(ServerNode node, int after) {}

    /** The servers of a stack, what forms them into clusters once each runs, and the endpoints then. */
    private record StackLayout(List<Step> steps, BiConsumer<List<ChildJvm>, Instant> formation, StackEndpoints endpoints) {}

    private static StackLayout singleLayout(Path dataDir, StackOptions options) {
        List<Integer> ports = LoopbackPorts.allocate(5);
        CassandraNode cassandra = CassandraNode.single(dataDir, ports.get(0), ports.get(1),
                session -> Provisioning.applySchema(session, options.keyspace(), options.replicationFactor()));
        S3ProxyNode s3proxy = new S3ProxyNode(dataDir, ports.get(2), options.bucket());
        KafkaNode kafka = KafkaNode.single(dataDir, ports.get(3), ports.get(4),
                new TopicLayout(EVENTS_TOPIC, DLQ_TOPIC, options.partitions(), (short) options.replicationFactor()));
        // Cassandra first: it takes longest to come up.
        List<Step> steps = List.of(new Step(cassandra, -1), new Step(s3proxy, -1), new Step(kafka, -1));
        return new StackLayout(steps, (jvms, deadline) -> {}, endpoints(options, kafka.bootstrap(), List.of(cassandra.contactPoint()), s3proxy, null, null));
    }

    /**
     * The seed Cassandra node first; once it accepts clients the other members join together (fixed tokens, no
     * streaming). S3Proxy, the Kafka brokers and the Spark master start at once, the Spark workers once the master runs.
     */
    private static StackLayout clusterLayout(Path dataDir, StackOptions options) {
        int size = StackOptions.CLUSTER_SIZE;
        // Cassandra storage and CQL, S3Proxy, Kafka broker and controller; Spark master and its web UI; each worker's
        // port and web UI.
        List<Integer> ports = LoopbackPorts.allocate(7 + 2 * StackOptions.SPARK_WORKERS, LoopbackHosts.first(size));
        List<Step> steps = new ArrayList<>();
        ClusterSecurity security = options.secure() ? ClusterSecurity.prepare(dataDir, size) : null;
        List<CassandraNode> cassandras = new ArrayList<>();
        for (int number = 1; number <= size; number++) {
            CassandraNode member = CassandraNode.ringMember(dataDir, number, size, CLUSTER_CASSANDRA_HEAP, ports.get(0), ports.get(1));
            CassandraNode node = security == null ? member : member.secured(security);
            cassandras.add(node);
            steps.add(new Step(node, number == 1 ? -1 : 0));
        }
        S3ProxyNode s3proxy = new S3ProxyNode(dataDir, ports.get(2), options.bucket());
        steps.add(new Step(s3proxy, -1));
        String clusterId = KafkaNode.clusterId(dataDir);
        List<KafkaNode> brokers = new ArrayList<>();
        for (int id = 1; id <= size; id++) {
            KafkaNode member = KafkaNode.clusterMember(dataDir, id, size, clusterId, CLUSTER_KAFKA_HEAP, ports.get(3), ports.get(4), options.partitions());
            KafkaNode node = security == null ? member : member.secured(security);
            brokers.add(node);
            steps.add(new Step(node, -1));
        }
        String sparkMaster = null;
        if (options.sparkClasspath() != null) {
            SparkHome home = SparkHome.of(dataDir.resolve("spark").resolve("home"), options.sparkClasspath());
            SparkMasterNode master = new SparkMasterNode(dataDir, home, ports.get(5), ports.get(6));
            int masterIndex = steps.size();
            steps.add(new Step(master, -1));
            for (int number = 1; number <= StackOptions.SPARK_WORKERS; number++) {
                steps.add(new Step(new SparkWorkerNode(dataDir, home, master, number, ports.get(5 + 2 * number), ports.get(6 + 2 * number)), masterIndex));
            }
            sparkMaster = master.url();
        }
        CassandraRing ring = new CassandraRing(cassandras, security);
        KafkaCluster kafka = new KafkaCluster(brokers);
        int cassandraFrom = 0;
        int kafkaFrom = size + 1;
        TopicLayout topics = new TopicLayout(EVENTS_TOPIC, DLQ_TOPIC, options.partitions(), (short) options.replicationFactor(), options.replicationFactor() - 1);
        BiConsumer<List<ChildJvm>, Instant> formation = (jvms, deadline) -> {
            ring.awaitFormed(jvms.subList(cassandraFrom, cassandraFrom + size), deadline,
                    session -> Provisioning.applySchema(session, options.keyspace(), options.replicationFactor()));
            log.info("Cassandra ring of {} nodes formed; keyspace {} at replication factor {}", size, options.keyspace(), options.replicationFactor());
            kafka.awaitFormed(jvms.subList(kafkaFrom, kafkaFrom + size), deadline, topics);
            log.info("Kafka cluster of {} brokers formed; topics at replication factor {}, min.insync.replicas {}", size, topics.replicationFactor(),
                    topics.minInSyncReplicas());
        };
        return new StackLayout(steps, formation, endpoints(options, kafka.bootstrap(), ring.contactPoints(), s3proxy, sparkMaster,
                security == null ? null : security.endpoints()));
    }

    private static StackEndpoints endpoints(StackOptions options, String kafkaBootstrap, List<String> contactPoints, S3ProxyNode s3proxy, String sparkMaster,
            StackSecurity security) {
        return new StackEndpoints(
                kafkaBootstrap,
                contactPoints.get(0),
                CassandraNode.DATACENTER,
                options.keyspace(),
                s3proxy.endpoint(),
                options.bucket(),
                S3ProxyNode.ACCESS_KEY,
                S3ProxyNode.SECRET_KEY,
                S3ProxyNode.REGION,
                EVENTS_TOPIC,
                DLQ_TOPIC,
                contactPoints,
                options.replicationFactor(),
                sparkMaster,
                security);
    }

    /** Launches each step once the step it waits for is ready, fills {@code launched} as JVMs start, and waits for all. */
    private static List<RunningServer> launchAll(List<Step> steps, ChildJvm[] launched, Instant deadline) {
        ExecutorService waiters = Executors.newFixedThreadPool(steps.size());
        try {
            List<CompletableFuture<RunningServer>> ready = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                int index = i;
                CompletableFuture<?> before = step.after() < 0 ? CompletableFuture.completedFuture(null) : ready.get(step.after());
                ready.add(before.thenApplyAsync(previous -> {
                    ChildJvm jvm = step.node().launch();
                    launched[index] = jvm;
                    return awaitReady(step.node(), jvm, deadline);
                }, waiters));
            }
            return join(ready);
        }
        finally {
            waiters.shutdownNow();
        }
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
        // Fail fast: a server that exits while others still start stops the start at once.
        CompletableFuture<Void> firstFailure = new CompletableFuture<>();
        futures.forEach(future -> future.whenComplete((server, failure) -> {
            if (failure != null) {
                firstFailure.completeExceptionally(failure);
            }
        }));
        try {
            CompletableFuture.anyOf(CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)), firstFailure).join();
        }
        catch (CompletionException e) {
            // fall through: the first failure in launch order is reported below
        }
        if (firstFailure.isCompletedExceptionally()) {
            Throwable cause = firstFailure.handle((ignored, failure) -> failure instanceof CompletionException wrapped ? wrapped.getCause() : failure).join();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new StackStartException("A server failed to start", cause);
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
