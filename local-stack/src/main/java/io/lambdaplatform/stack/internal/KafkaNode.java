package io.lambdaplatform.stack.internal;

import io.lambdaplatform.stack.StackStartException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * A single Kafka node in KRaft mode, broker and controller in one JVM, with a static one-voter quorum so that it
 * may listen on different ports after a restart. Its storage is formatted once; a restart keeps topics and offsets.
 */
public final class KafkaNode implements ServerNode {
    private static final Logger log = LoggerFactory.getLogger(KafkaNode.class);

    public static final String NAME = "kafka";
    private static final int NODE_ID = 1;
    private static final Duration FORMAT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration ADMIN_CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Path dataDir;
    private final int brokerPort;
    private final int controllerPort;
    private final List<String> topics;
    private final int partitions;

    /**
     * @param topics the topics to create; the first is the events topic (with {@code LogAppendTime}), the others
     *        (the dead-letter topic) keep {@code CreateTime}
     */
    public KafkaNode(Path dataDir, int brokerPort, int controllerPort, List<String> topics, int partitions) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.topics = List.copyOf(requireNonNull(topics, "topics is null"));
        this.partitions = partitions;
        if (this.topics.isEmpty()) {
            throw new IllegalArgumentException("topics is empty");
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    public String bootstrap() {
        return LoopbackPorts.HOST + ":" + brokerPort;
    }

    @Override
    public ChildJvm launch() {
        Path storage = dataDir.resolve("kafka");
        Path config = dataDir.resolve("conf").resolve("kafka.properties");
        Path log4j = dataDir.resolve("conf").resolve("kafka-log4j2.properties");
        ConfigFiles.write(config, serverProperties(storage));
        ConfigFiles.write(log4j, LOG4J2_PROPERTIES);
        List<Path> classpath = ServerClasspath.of(NAME);
        List<String> jvmOptions = List.of(
                "-Xms256m", "-Xmx1g",
                "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20",
                "-XX:+ExitOnOutOfMemoryError",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + log4j.toUri(),
                "-Dlambda.stack.server=" + NAME,
                "-Dlambda.stack.data-dir=" + dataDir);

        if (!Files.exists(storage.resolve("meta.properties"))) {
            format(config, classpath, jvmOptions);
        }
        return ChildJvm.start(new ChildJvmSpec(NAME, classpath, jvmOptions, "kafka.Kafka", List.of(config.toString()), logFile()));
    }

    @Override
    public void awaitReady(ChildJvm jvm, Instant deadline) {
        Readiness.awaitPort(jvm, deadline, brokerPort);
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) ADMIN_CALL_TIMEOUT.toMillis(),
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500))) {
            Readiness.await(jvm, deadline, "the Kafka broker at " + bootstrap() + " accepts clients",
                    () -> admin.describeCluster().nodes().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            jvm.markAcceptingClients();
            Readiness.await(jvm, deadline, "the topics " + topics + " exist", () -> {
                ensureTopics(admin);
                return null;
            });
        }
    }

    private void ensureTopics(Admin admin) throws Exception {
        Set<String> existing = admin.listTopics().names().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        String eventsTopic = topics.get(0);
        for (String topic : topics) {
            if (!existing.contains(topic)) {
                Map<String, String> configs = topic.equals(eventsTopic)
                        ? Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime")
                        : Map.of();
                admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs)))
                        .all().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.info("Created topic {} with {} partitions {}", topic, partitions, configs);
                continue;
            }
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic);
            int current = description.partitions().size();
            if (current < partitions) {
                admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all()
                        .get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                log.info("Increased the partitions of topic {} from {} to {}", topic, current, partitions);
            }
            else if (current > partitions) {
                log.warn("Topic {} keeps its {} partitions; Kafka cannot reduce them to {}", topic, current, partitions);
            }
        }
        ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, eventsTopic);
        ConfigEntry timestampType = admin.describeConfigs(List.of(events)).all()
                .get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(events).get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
        if (timestampType == null || !"LogAppendTime".equals(timestampType.value())) {
            admin.incrementalAlterConfigs(Map.of(events, List.of(new AlterConfigOp(
                            new ConfigEntry(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"), AlterConfigOp.OpType.SET))))
                    .all().get(ADMIN_CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Set {}=LogAppendTime on topic {}", TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, eventsTopic);
        }
    }

    private void format(Path config, List<Path> classpath, List<String> jvmOptions) {
        String clusterId = Uuid.randomUuid().toString();
        Path formatLog = dataDir.resolve("logs").resolve("kafka-format.log");
        log.info("Formatting Kafka storage {} with cluster id {}", dataDir.resolve("kafka"), clusterId);
        int exitCode = ChildJvm.run(new ChildJvmSpec("kafka-format", classpath, jvmOptions, "kafka.tools.StorageTool",
                List.of("format", "--config", config.toString(), "--cluster-id", clusterId), formatLog), FORMAT_TIMEOUT);
        if (exitCode != 0) {
            throw new StackStartException("Formatting the Kafka storage failed with exit code " + exitCode + "; see " + formatLog);
        }
    }

    private String serverProperties(Path storage) {
        String controller = LoopbackPorts.HOST + ":" + controllerPort;
        return String.join("\n",
                "# Generated by local-stack on every start; the ports change, the data in log.dirs stays.",
                "process.roles=broker,controller",
                "node.id=" + NODE_ID,
                "controller.quorum.voters=" + NODE_ID + "@" + controller,
                "listeners=PLAINTEXT://" + bootstrap() + ",CONTROLLER://" + controller,
                "advertised.listeners=PLAINTEXT://" + bootstrap(),
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + storage,
                "num.partitions=" + partitions,
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=10",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=10",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "num.network.threads=2",
                "num.io.threads=4",
                "num.recovery.threads.per.data.dir=1",
                "log.retention.hours=168",
                "");
    }

    private Path logFile() {
        return dataDir.resolve("logs").resolve(NAME + ".log");
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
