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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
    private final TopicLayout topics;

    /** @param topics created through {@link Provisioning} once the broker accepts clients */
    public KafkaNode(Path dataDir, int brokerPort, int controllerPort, TopicLayout topics) {
        this.dataDir = requireNonNull(dataDir, "dataDir is null");
        this.brokerPort = brokerPort;
        this.controllerPort = controllerPort;
        this.topics = requireNonNull(topics, "topics is null");
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
            Readiness.await(jvm, deadline, "the topics " + topics.eventsTopic() + " and " + topics.deadLetterTopic() + " exist", () -> {
                Provisioning.ensureTopics(admin, topics);
                return null;
            });
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
                "num.partitions=" + topics.partitions(),
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
