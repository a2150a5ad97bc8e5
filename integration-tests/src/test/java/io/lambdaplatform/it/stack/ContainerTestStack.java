package io.lambdaplatform.it.stack;

import io.lambdaplatform.stack.ProvisionPlan;
import io.lambdaplatform.stack.Provisioning;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackOptions;
import io.lambdaplatform.stack.TopicLayout;
import io.lambdaplatform.viewstore.CassandraSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.cassandra.CassandraContainer;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startable;
import org.testcontainers.lifecycle.Startables;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

import static org.awaitility.Awaitility.await;
import static java.util.Objects.requireNonNull;

/**
 * The three servers as containers of the official images ({@code apache/kafka} in KRaft mode, {@code cassandra},
 * {@code andrewgaul/s3proxy}), started in parallel by Testcontainers on a machine with Docker, then provisioned by
 * the platform's own {@link Provisioning}, exactly as the child-JVM stack and {@code docker compose} are. Chosen with
 * {@code -Dlambda.it.stack=docker}, which the Maven profile {@code docker} sets.
 */
public final class ContainerTestStack implements TestStack {
    private static final Logger log = LoggerFactory.getLogger(ContainerTestStack.class);

    // Local-only credentials of a throw-away container; not a secret of any real account.
    private static final String S3_ACCESS_KEY = "lambda-local";
    private static final String S3_SECRET_KEY = "lambda-local-secret";
    private static final String S3_REGION = "us-east-1";
    private static final int S3_PORT = 80;
    private static final short SINGLE_NODE = 1;
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration PROVISION_TIMEOUT = Duration.ofMinutes(2);

    private final Map<String, GenericContainer<?>> containers;
    private final StackEndpoints endpoints;

    private ContainerTestStack(Map<String, GenericContainer<?>> containers, StackEndpoints endpoints) {
        this.containers = Map.copyOf(requireNonNull(containers, "containers is null"));
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
    }

    public static ContainerTestStack start() {
        ContainerImages images = ContainerImages.ofBuild();
        KafkaContainer kafka = new KafkaContainer(images.kafka())
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
                .withStartupTimeout(START_TIMEOUT);
        CassandraContainer cassandra = new CassandraContainer(images.cassandra())
                .withEnv("MAX_HEAP_SIZE", "1G")
                .withEnv("HEAP_NEWSIZE", "200M")
                .withStartupTimeout(START_TIMEOUT);
        GenericContainer<?> s3proxy = new GenericContainer<>(images.s3proxy())
                .withEnv("S3PROXY_AUTHORIZATION", "aws-v2-or-v4")
                .withEnv("S3PROXY_IDENTITY", S3_ACCESS_KEY)
                .withEnv("S3PROXY_CREDENTIAL", S3_SECRET_KEY)
                // the back end the child-JVM stack uses, so both stacks store objects alike
                .withEnv("JCLOUDS_PROVIDER", "filesystem-nio2")
                .withEnv("JCLOUDS_FILESYSTEM_BASEDIR", "/data")
                .withExposedPorts(S3_PORT)
                .waitingFor(Wait.forListeningPort())
                .withStartupTimeout(START_TIMEOUT);
        List<GenericContainer<?>> containers = List.of(kafka, cassandra, s3proxy);
        Instant start = Instant.now();
        try {
            Startables.deepStart(containers).join();
            StackEndpoints endpoints = new StackEndpoints(
                    kafka.getBootstrapServers(),
                    cassandra.getHost() + ":" + cassandra.getContactPoint().getPort(),
                    cassandra.getLocalDatacenter(),
                    StackOptions.DEFAULT_KEYSPACE,
                    "http://" + s3proxy.getHost() + ":" + s3proxy.getMappedPort(S3_PORT),
                    StackOptions.DEFAULT_BUCKET,
                    S3_ACCESS_KEY,
                    S3_SECRET_KEY,
                    S3_REGION,
                    "events",
                    "events.dlq");
            Provisioning.apply(plan(endpoints), PROVISION_TIMEOUT);
            log.info("Containers up and provisioned in {} s", Duration.between(start, Instant.now()).toSeconds());
            return new ContainerTestStack(Map.of("kafka", kafka, "cassandra", cassandra, "s3proxy", s3proxy), endpoints);
        }
        catch (RuntimeException e) {
            containers.forEach(ContainerTestStack::stopQuietly);
            throw e;
        }
    }

    /** The same topics, schema and bucket the child-JVM stack and {@code provision} create. */
    static ProvisionPlan plan(StackEndpoints endpoints) {
        return new ProvisionPlan(
                endpoints.kafka(),
                new TopicLayout(endpoints.eventsTopic(), endpoints.dlqTopic(), StackOptions.DEFAULT_PARTITIONS, SINGLE_NODE),
                CassandraSettings.of(endpoints.cassandraContactPoint(), endpoints.cassandraDatacenter(), endpoints.cassandraKeyspace())
                        .withRequestTimeout(Duration.ofSeconds(30)),
                SINGLE_NODE,
                endpoints.s3());
    }

    @Override
    public StackEndpoints endpoints() {
        return endpoints;
    }

    /**
     * Restarts the server's container ({@code docker restart}): the process stops cleanly and starts again
     * on the container's file system, so its data stays. The test keeps its endpoints only if Docker keeps
     * the published port, which is checked rather than assumed.
     */
    @Override
    public void restart(String server) {
        GenericContainer<?> container = containers.get(server);
        if (container == null) {
            throw new IllegalArgumentException("No server '" + server + "'; known: " + new TreeSet<>(containers.keySet()));
        }
        int port = container.getFirstMappedPort();
        container.getDockerClient().restartContainerCmd(container.getContainerId()).exec();
        int portAfter = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec()
                .getNetworkSettings().getPorts().getBindings().values().stream()
                .filter(Objects::nonNull)
                .flatMap(Arrays::stream)
                .map(binding -> Integer.parseInt(binding.getHostPortSpec()))
                .filter(candidate -> candidate == port)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Docker published " + server + " on another port after the restart"));
        awaitListening(container.getHost(), portAfter, START_TIMEOUT);
    }

    @Override
    public void close() {
        containers.values().forEach(ContainerTestStack::stopQuietly);
    }

    private static void awaitListening(String host, int port, Duration timeout) {
        await(host + ":" + port + " accepts connections").atMost(timeout).pollInterval(Duration.ofMillis(500)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress(host, port), 1_000);
                        return true;
                    }
                });
    }

    private static void stopQuietly(Startable container) {
        try {
            container.stop();
        }
        catch (RuntimeException e) {
            log.warn("Stopping {} failed", container, e);
        }
    }

    @Override
    public String toString() {
        return "Testcontainers stack (Kafka, Cassandra, S3Proxy)";
    }
}
