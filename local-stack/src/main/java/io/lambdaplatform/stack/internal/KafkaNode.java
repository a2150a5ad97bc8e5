package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.Provisioning;
import io.lambdaplatform.stack.StackStartException;
import io.lambdaplatform.stack.TopicLayout;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static java.util.Objects.requireNonNull;

/**
 * A Kafka node in KRaft mode, broker and controller in one JVM, with a static quorum of voters so that it may listen
 * on different ports after a restart. Its storage is formatted once; a restart keeps topics and offsets.
 *
 * <p>Either the single node of the local stack ({@link #single}: {@code kafka}, node id 1 on 127.0.0.1, the only
 * voter, creating the topics once it accepts clients) or one member of a cluster ({@link #clusterMember}:
 * {@code kafka-N}, node id N on 127.0.0.N, all members on the same two ports and all of them voters, replicating
 * internal topics three times with {@code min.insync.replicas=2}); a cluster's topics are created once every broker
 * has registered.
 *
 * <p>A member {@link #secured} by a {@link ClusterSecurity} listens for clients and the other brokers on
 * {@code SASL_SSL} with SCRAM-SHA-512 (its key store from {@code tls/node-N.p12}, the brokers talking to each other as
 * {@value ClusterSecurity#KAFKA_BROKER_USER}); the users are created when its storage is formatted ({@code --add-scram}).
 * The controller listener stays PLAINTEXT on its loopback address: KRaft controllers cannot authenticate each other with
 * SCRAM (its credentials live in the metadata the quorum replicates), and no client reaches that listener.
 */
public final class KafkaNode implements ServerNode {
    private static final Logger log = LoggerFactory.getLogger(KafkaNode.class);

    public static final String NAME = "kafka";
    private static final Duration FORMAT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Path dataDir;
    private final String name;
    private final int nodeId;
    private final int clusterSize;
    private final String clusterId;
    private final String maxHeap;
    private final int brokerPort;
    private final int controllerPort;
    private final int defaultPartitions;
    private final Consumer<Admin> provisioning;
    private final ClusterSecurity security;

    private KafkaNode(Path dataDir, String name, int nodeId, int clusterSize, String clusterId, String maxHeap, int brokerPort, int controllerPort,
            int defaultPartitions, Consumer<Admin> provisioning, ClusterSecurity security) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.name = requireNonNull(name, "name is null");
        this.nodeId = nodeId;
        this.clusterSize = clusterSize;
        this.clusterId = requireNonNull(clusterId, "clusterId is null");
        this.maxHeap = requireNonNull(maxHeap, "maxHeap is null");
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.defaultPartitions = defaultPartitions;
        this.provisioning = requireNonNull(provisioning, "provisioning is null");
        this.security = security;
        if (nodeId < 1 || nodeId > clusterSize) {
            throw new IllegalArgumentException("Kafka node id " + nodeId + " is not in 1.." + clusterSize);
        }
    }

    /** The local stack's only node, {@code kafka}, with a 1 GiB heap; creates the topics through {@link Provisioning}. */
    public static KafkaNode single(Path dataDir, int brokerPort, int controllerPort, TopicLayout topics) {
        requireNonNull(topics, "topics is null");
        return new KafkaNode(dataDir, NAME, 1, 1, Uuid.randomUuid().toString(), "1g", brokerPort, controllerPort, topics.partitions(),
                admin -> Provisioning.ensureTopics(admin, topics), null);
    }

    /**
     * Member {@code nodeId} (1-based) of a cluster of {@code clusterSize} combined broker-controllers sharing the
     * {@code clusterId} their storage is formatted with, with a heap of {@code maxHeap}.
     */
    public static KafkaNode clusterMember(Path dataDir, int nodeId, int clusterSize, String clusterId, String maxHeap, int brokerPort, int controllerPort,
            int defaultPartitions) {
        return new KafkaNode(dataDir, NAME + "-" + nodeId, nodeId, clusterSize, clusterId, maxHeap, brokerPort, controllerPort, defaultPartitions,
                admin -> {}, null);
    }

    /** This member with SASL_SSL (SCRAM-SHA-512) for clients and between brokers, its certificate from {@code security}. */
    public KafkaNode secured(ClusterSecurity newSecurity) {
        requireNonNull(newSecurity, "security is null");
        return new KafkaNode(dataDir, name, nodeId, clusterSize, clusterId, maxHeap, brokerPort, controllerPort, defaultPartitions, provisioning,
                newSecurity);
    }

    /** The Kafka client security properties of the launcher's own clients: none for a plaintext node. */
    public Map<String, String> clientSecurity() {
        return security == null ? Map.of() : security.kafkaClientProperties();
    }

    /** The cluster id of the storage of member 1, when it was formatted by an earlier start; otherwise a new one. */
    public static String clusterId(Path dataDir) {
        Path meta = dataDir.resolve(NAME + "-1").resolve("meta.properties");
        if (Files.isRegularFile(meta)) {
            Properties properties = new Properties();
            try (var in = Files.newInputStream(meta)) {
                properties.load(in);
            }
            catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + meta, e);
            }
            String id = properties.getProperty("cluster.id");
            if (id != null) {
                return id;
            }
        }
        return Uuid.randomUuid().toString();
    }

    @Override
    public String name() {
        return name;
    }

    public String host() {
        return LoopbackHosts.of(nodeId);
    }

    public String bootstrap() {
        return host() + ":" + brokerPort;
    }

    public Path propertiesFile() {
        return dataDir.resolve("conf").resolve(name + ".properties");
    }

    private Path storage() {
        return dataDir.resolve(name);
    }

    @Override
    public ChildJvm launch() {
        Path storage = storage();
        Path config = propertiesFile();
        Path log4j = dataDir.resolve("conf").resolve("kafka-log4j2.properties");
        if (security == null) {
            ConfigFiles.write(config, serverProperties());
        }
        else {
            ConfigFiles.writeOwnerOnly(config, serverProperties());
        }
        ConfigFiles.write(log4j, LOG4J2_PROPERTIES);
        List<Path> classpath = ServerClasspath.of(NAME);
        List<String> jvmOptions = List.of(
                "-Xms" + (clusterSize > 1 ? maxHeap : "256m"), "-Xmx" + maxHeap,
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-Dlambda.stack.server=" + name,
                "-Dlambda.stack.data-dir=" + dataDir);

        if (!Files.exists(storage.resolve("meta.properties"))) {
            format(config, classpath, jvmOptions);
        }
        return ChildJvm.start(new ChildJvmSpec(name, classpath, jvmOptions, "kafka.Kafka", List.of(config.toString()), logFile()));
    }

    @Override
    public void awaitReady(ChildJvm jvm, Instant deadline) {
        Readiness.awaitPort(jvm, deadline, host(), brokerPort);
        try (Admin admin = admin(bootstrap(), clientSecurity())) {
            Readiness.await(jvm, deadline, "the Kafka broker at " + bootstrap() + " accepts clients",
                    () -> admin.describeCluster().nodes().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            jvm.markAcceptingClients();
            Readiness.await(jvm, deadline, "Kafka at " + bootstrap() + " is provisioned", () -> {
                provisioning.accept(admin);
                return null;
            });
        }
    }

    /** An admin client with short timeouts, for the launcher's own checks. */
    public static Admin admin(String bootstrap) {
        return admin(bootstrap, Map.of());
    }

    /** An admin client with short timeouts and the given {@code security.protocol}, {@code sasl.*}, {@code ssl.*} properties. */
    public static Admin admin(String bootstrap, Map<String, String> security) {
        Map<String, Object> properties = new HashMap<>(security);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis());
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis());
        properties.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
        return Admin.create(properties);
    }

    private void format(Path config, List<Path> classpath, List<String> jvmOptions) {
        Path formatLog = dataDir.resolve("logs").resolve(name + "-format.log");
        log.info("Formatting Kafka storage {} with cluster id {}", storage(), clusterId);
        List<String> arguments = new ArrayList<>(List.of("format", "--config", config.toString(), "--cluster-id", clusterId));
        Path argumentFile = null;
        if (security != null) {
            // The SCRAM users, in the bootstrap metadata; their passwords are in an owner-only argument file, not on the command line.
            arguments.addAll(List.of(
                    "--add-scram", scramUser(ClusterSecurity.KAFKA_BROKER_USER, security.kafkaBrokerPassword()),
                    "--add-scram", scramUser(ClusterSecurity.KAFKA_CLIENT_USER, security.kafkaClientPassword())));
            argumentFile = dataDir.resolve("conf").resolve(name + "-format.args");
        }
        int exitCode;
        try {
            exitCode = ChildJvm.run(new ChildJvmSpec(name + "-format", classpath, jvmOptions, "kafka.tools.StorageTool", arguments, formatLog, Map.of(),
                    argumentFile), FORMAT_TIMEOUT);
        }
        finally {
            if (argumentFile != null) {
                deleteQuietly(argumentFile);
            }
        }
        if (exitCode != 0) {
            throw new StackStartException("Formatting the Kafka storage failed with exit code " + exitCode + "; see " + formatLog);
        }
    }

    private static String scramUser(String user, String password) {
        return ClusterSecurity.SCRAM_MECHANISM + "=[name=" + user + ",password=" + password + "]";
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        }
        catch (IOException e) {
            log.warn("Cannot delete {}: {}", file, e.toString());
        }
    }

    /** The generated {@code server.properties}: rewritten on every start, as the ports change; the data stays. */
    public String serverProperties() {
        String listenerHost = host();
        String controller = listenerHost + ":" + controllerPort;
        String voters = IntStream.rangeClosed(1, clusterSize)
                .mapToObj(id -> id + "@" + LoopbackHosts.of(id) + ":" + controllerPort)
                .collect(Collectors.joining(","));
        int replication = Math.min(clusterSize, 3);
        int minInSync = Math.max(1, replication - 1);
        String listener = security == null ? "PLAINTEXT" : "SASL_SSL";
        return String.join("\n",
                "# Generated by local-stack on every start; the ports change, the data in log.dirs stays.",
                "process.roles=broker,controller",
                "node.id=" + nodeId,
                "controller.quorum.voters=" + voters,
                "listeners=" + listener + "://" + bootstrap() + ",CONTROLLER://" + controller,
                "advertised.listeners=" + listener + "://" + bootstrap(),
                "listener.security.protocol.map=" + listener + ":" + listener + ",CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=" + listener,
                securityProperties(),
                "log.dirs=" + storage(),
                "num.partitions=" + defaultPartitions,
                "auto.create.topics.enable=false",
                "default.replication.factor=" + replication,
                "min.insync.replicas=" + minInSync,
                "offsets.topic.replication.factor=" + replication,
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=" + replication,
                "transaction.state.log.min.isr=" + minInSync,
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=" + replication,
                "share.coordinator.state.topic.min.isr=" + minInSync,
                "group.initial.rebalance.delay.ms=0",
                "num.network.threads=2",
                "num.io.threads=" + (clusterSize > 1 ? 2 : 4),
                "num.replica.fetchers=1",
                "num.recovery.threads.per.data.dir=1",
                "log.retention.hours=168",
                "");
    }

    /** The broker's TLS and SASL settings when it is secured: owner-only, as they hold the passwords. */
    private String securityProperties() {
        if (security == null) {
            return "# plaintext: no TLS, no SASL";
        }
        return String.join("\n",
                "sasl.enabled.mechanisms=" + ClusterSecurity.SCRAM_MECHANISM,
                "sasl.mechanism.inter.broker.protocol=" + ClusterSecurity.SCRAM_MECHANISM,
                "listener.name.sasl_ssl." + ClusterSecurity.SCRAM_MECHANISM.toLowerCase(Locale.ROOT) + ".sasl.jaas.config="
                        + ClusterSecurity.scramJaasConfig(ClusterSecurity.KAFKA_BROKER_USER, security.kafkaBrokerPassword()),
                "ssl.keystore.type=" + ClusterSecurity.STORE_TYPE,
                "ssl.keystore.location=" + security.keystore(nodeId),
                "ssl.keystore.password=" + security.storePassword(),
                "ssl.key.password=" + security.storePassword(),
                "ssl.truststore.type=" + ClusterSecurity.STORE_TYPE,
                "ssl.truststore.location=" + security.truststore(),
                "ssl.truststore.password=" + security.storePassword(),
                "ssl.client.auth=none");
    }

    private Path logFile() {
        return dataDir.resolve("logs").resolve(name + ".log");
    }


    private static final String LOG4J2_PROPERTIES = String.join("\n",
            "status = warn",
            "appender.stdout.type = Console",
            "appender.stdout.name = STDOUT",
            "appender.stdout.layout.type = PatternLayout",
            "appender.stdout.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRefs = stdout",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "logger.state.name = state.change.logger",
            "logger.state.level = WARN",
            "");
}
