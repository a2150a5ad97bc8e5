package io.lambdaplatform.it.cluster;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratedRecord;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.it.exactness.Truth;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.ChildJvmTestStack;
import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.stack.LocalStack;
import io.lambdaplatform.stack.RunningServer;
import io.lambdaplatform.stack.RunningStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackOptions;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster stack on its own data directory: a 3-node Cassandra ring with the keyspace at RF 3, 3 Kafka brokers with
 * {@code events} at RF 3, {@code min.insync.replicas=2} and LogAppendTime; {@code kill -9} of one Cassandra node and of
 * one broker, each back (UP, in every ISR) after its restart; a Spark standalone master with 2 ALIVE workers; the batch
 * job on that master through {@code ./lambda batch --stack D}, exact although a worker is killed while it recomputes;
 * and no process left once the stack is closed.
 */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackClusterIT {
    // Generous: two cores shared with the other suites' servers.
    private static final Duration BACK_WITHIN = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofSeconds(2);
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(8);
    private static final int PRODUCTS = 8;

    private StackOptions options;
    private RunningStack stack;
    private StackEndpoints endpoints;

    @BeforeAll
    void startClusterStack() {
        options = StackOptions.of(ChildJvmTestStack.freshDataDir("cluster-"))
                .withCluster(true)
                .withPartitions(3)
                .withStartTimeout(Duration.ofMinutes(6))
                .withSparkClasspath(sparkClasspath());
        stack = LocalStack.start(options);
        endpoints = stack.endpoints();
    }

    @AfterAll
    void stopClusterStackAndLeaveNoProcess() {
        if (stack == null) {
            return;
        }
        List<Long> pids = stack.servers().stream().map(RunningServer::pid).toList();
        stack.close();
        assertThat(pids).hasSize(10).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                .as("processes left behind by the cluster stack").doesNotContainAnyElementsOf(pids);
        assertThat(options.dataDir().resolve(StackEndpoints.FILE_NAME)).doesNotExist();
    }

    @Test
    @Order(1)
    void killNineOfOneCassandraNodeAndOneBrokerThenRestartBringsEachBackIntoItsCluster() throws Exception {
        List<Long> firstPids = stack.servers().stream().map(RunningServer::pid).toList();
        assertThat(stack.servers()).extracting(RunningServer::name)
                .containsExactly("cassandra-1", "cassandra-2", "cassandra-3", "s3proxy", "kafka-1", "kafka-2", "kafka-3",
                        "spark-master", "spark-worker-1", "spark-worker-2");
        assertThat(endpoints.cassandraContactPoints()).hasSize(3).allMatch(point -> point.endsWith(endpoints.cassandraContactPoint().split(":")[1]));
        assertThat(endpoints.cassandraReplicationFactor()).isEqualTo(3);
        assertThat(endpoints.kafkaBootstrap().split(",")).hasSize(3);
        assertThat(StackEndpoints.read(options.dataDir())).isEqualTo(endpoints);

        JsonNode master = sparkMasterState(options.dataDir());
        assertThat(master.path("url").asText()).isEqualTo(endpoints.sparkMaster()).startsWith("spark://127.0.0.1:");
        assertThat(master.path("status").asText()).isEqualTo("ALIVE");
        assertThat(master.path("aliveworkers").asInt()).isEqualTo(2);
        assertThat(master.path("workers")).hasSize(2).allSatisfy(worker -> {
            assertThat(worker.path("state").asText()).isEqualTo("ALIVE");
            assertThat(worker.path("cores").asInt()).isEqualTo(1);
            assertThat(worker.path("memory").asInt()).isEqualTo(1024);
        });
        assertThat(options.dataDir().resolve("spark/home/jars")).isDirectoryContaining("glob:**/spark-core_2.13-*.jar");

        try (CqlSession session = cql(endpoints); Admin admin = admin(endpoints)) {
            assertThat(upNodes(session)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");
            assertThat(session.getMetadata().getKeyspace(endpoints.cassandraKeyspace()).orElseThrow().getReplication())
                    .containsEntry("replication_factor", "3");

            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(org.apache.kafka.common.Node::id)
                    .containsExactlyInAnyOrder(1, 2, 3);
            TopicDescription events = describe(admin, endpoints.eventsTopic());
            assertThat(events.partitions()).hasSize(3).allSatisfy(partition -> {
                assertThat(partition.replicas()).hasSize(3);
                assertThat(partition.isr()).hasSize(3);
            });
            Config eventsConfig = admin.describeConfigs(List.of(topic(endpoints.eventsTopic()))).all().get(30, TimeUnit.SECONDS)
                    .get(topic(endpoints.eventsTopic()));
            assertThat(eventsConfig.get("min.insync.replicas").value()).isEqualTo("2");
            assertThat(eventsConfig.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");

            // kill -9 of cassandra-2: the ring sees it DOWN; after its restart it is UP again.
            stack.kill("cassandra-2");
            await("cassandra-2 DOWN").atMost(BACK_WITHIN).pollInterval(POLL)
                    .untilAsserted(() -> assertThat(upNodes(session)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.3"));
            RunningServer cassandra2 = stack.restart("cassandra-2");
            assertThat(firstPids).doesNotContain(cassandra2.pid());
            await("cassandra-2 UP again").atMost(BACK_WITHIN).pollInterval(POLL)
                    .untilAsserted(() -> assertThat(upNodes(session)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3"));

            // kill -9 of the leader of events-0: it drops out of every ISR; after its restart it is back in all of them.
            int leader = describe(admin, endpoints.eventsTopic()).partitions().get(0).leader().id();
            stack.kill("kafka-" + leader);
            await("broker " + leader + " out of the ISRs").atMost(BACK_WITHIN).pollInterval(POLL)
                    .untilAsserted(() -> assertThat(describe(admin, endpoints.eventsTopic()).partitions()).allSatisfy(partition -> {
                        assertThat(partition.isr()).extracting(org.apache.kafka.common.Node::id).hasSize(2).doesNotContain(leader);
                        assertThat(partition.leader().id()).isNotEqualTo(leader);
                    }));
            stack.restart("kafka-" + leader);
            await("broker " + leader + " back in every ISR").atMost(BACK_WITHIN).pollInterval(POLL)
                    .untilAsserted(() -> assertThat(describe(admin, endpoints.eventsTopic()).partitions())
                            .extracting(TopicPartitionInfo::isr)
                            .allSatisfy(isr -> assertThat(isr).extracting(org.apache.kafka.common.Node::id).containsExactlyInAnyOrder(1, 2, 3)));
        }
    }

    /**
     * {@code ./lambda batch --stack D} takes the stack's standalone master, so archive and recompute run on the two
     * workers' executors and write to S3 and to the RF-3 keyspace. {@code kill -9} of {@code spark-worker-2} as soon as
     * the driver starts the recompute takes its executor and that executor's shuffle files away: Spark runs the lost
     * tasks again on the other worker, and the published version is still exactly the truth (late, duplicate and
     * invalid events among those sent).
     */
    @Test
    @Order(2)
    void theBatchJobRunsOnTheWorkersAndStaysExactWhenOneIsKilledWhileItRecomputes() throws Exception {
        Truth truth = new Truth();
        Instant lastAppend = sendAll(new EventGenerator(new GeneratorSettings(3_000, PRODUCTS, 20261202, 0.15, 0.05, 0.03,
                Duration.ofDays(2)), InstantSource.system()), truth);
        // The cutoff must pass every event: let the brokers' clock pass the last append by more than the safety margin
        // and one ingest bucket, then append one record (a dead letter) so that the brokers report that clock.
        Thread.sleep(Duration.ofSeconds(20).toMillis());
        sendAll(List.of(new ProducerRecord<>(endpoints.eventsTopic(), "tick".getBytes(StandardCharsets.UTF_8),
                "not json".getBytes(StandardCharsets.UTF_8))));

        Path log = options.dataDir().resolve("logs/batch-on-cluster.log");
        LayerProcess batch = LayerProcess.batch(options.dataDir(), Map.of(
                "LAMBDA_INGEST_BUCKET__WIDTH", "10s",
                "LAMBDA_BATCH_SAFETY__MARGIN", "5s",
                "LAMBDA_BATCH_HEAP", "1g"), log);
        await("the driver starts the recompute").atMost(BATCH_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> batch.logText().contains("Recomputing batch version") || !batch.isAlive());
        assertThat(batch.isAlive()).as("batch still running; log:\n%s", batch.logTail()).isTrue();
        stack.kill("spark-worker-2");
        assertThat(batch.awaitExit(BATCH_TIMEOUT)).as("batch exit code; log:\n%s", batch.logTail()).isZero();

        JsonNode app = sparkMasterState(options.dataDir()).path("completedapps");
        assertThat(app).as("the stack's master ran the job").anySatisfy(completed -> {
            assertThat(completed.path("name").asText()).isEqualTo("lambda-batch");
            assertThat(completed.path("state").asText()).isEqualTo("FINISHED");
        });
        for (String worker : List.of("spark-worker-1", "spark-worker-2")) {
            try (var executors = Files.list(options.dataDir().resolve("spark").resolve(worker))) {
                assertThat(executors.map(path -> path.getFileName().toString()).toList())
                        .as("%s ran an executor of the job", worker).anyMatch(name -> name.startsWith("app-"));
            }
        }
        String driverLog = batch.logText();
        int recompute = driverLog.indexOf("Recomputing batch version");
        int lost = driverLog.indexOf("Lost executor", recompute);
        assertThat(lost).as("the driver lost an executor after the recompute began; log:\n%s", driverLog).isGreaterThan(recompute);
        assertThat(driverLog.indexOf("Published batch version", lost)).as("and published after that").isGreaterThan(lost);

        try (CqlSession session = cql(endpoints)) {
            CassandraBatchViews views = new CassandraBatchViews(session, endpoints.cassandraKeyspace());
            BatchVersion live = views.current().orElseThrow();
            assertThat(live.cutoff()).as("the cutoff passes every event").isAfter(lastAppend);
            Instant from = truth.earliest().truncatedTo(ChronoUnit.DAYS);
            Instant to = truth.latest().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
            for (String product : truth.products()) {
                for (String granularity : Truth.GRANULARITIES.keySet()) {
                    Map<Instant, String> actual = new TreeMap<>();
                    for (ViewRow row : views.read(live.version(), product, Granularity.parse(granularity), from, to)) {
                        actual.put(row.key().window().start(), Truth.describe(row.metrics().eventCount(), row.metrics().revenue(),
                                row.metrics().durationSumMs().longValueExact()));
                    }
                    assertThat(actual).as("version %s: product %s at %s", live.version(), product, granularity)
                            .isEqualTo(truth.windows(product, granularity));
                }
            }
            assertThat(live.eventCount()).isEqualTo(truth.eventCount());
        }
    }

    /**
     * Sends every generated record and waits for all acknowledgements; the truth then learns the valid ones in the
     * order sent, which is each event's order within its partition (its copies share the product key).
     *
     * @return the latest LogAppendTime the brokers gave
     */
    private Instant sendAll(EventGenerator records, Truth truth) throws Exception {
        List<GeneratedRecord> generated = new ArrayList<>();
        records.forEachRemaining(generated::add);
        Instant lastAppend = sendAll(generated.stream()
                .map(record -> new ProducerRecord<>(endpoints.eventsTopic(), record.key(), record.value()))
                .toList());
        for (GeneratedRecord record : generated) {
            if (record.kind() != GeneratedRecord.Kind.INVALID) {
                Event event = record.event();
                truth.valid(new Truth.SentEvent(event.productId(), event.eventId(), event.revenue(), event.durationMs(), event.eventTime()));
            }
        }
        return lastAppend;
    }

    /** Sends the records with acks=all and idempotence; fails unless every one is acknowledged. */
    private Instant sendAll(List<ProducerRecord<byte[], byte[]>> records) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong lastAppend = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record, (metadata, exception) -> {
                    if (exception != null) {
                        failure.compareAndSet(null, exception);
                    }
                    else {
                        lastAppend.accumulateAndGet(metadata.timestamp(), Math::max);
                    }
                });
            }
            producer.flush();
        }
        assertThat(failure.get()).as("every record acknowledged").isNull();
        return Instant.ofEpochMilli(lastAppend.get());
    }

    /** Spark's jars as the batch-layer build lists them; the reactor builds batch-layer before this module. */
    private static Path sparkClasspath() {
        return Path.of(System.getProperty("lambda.script")).toAbsolutePath().getParent().resolve("batch-layer/target/launcher-provided.classpath");
    }

    /** The master's {@code /json/}, from the web UI port it logged. */
    private static JsonNode sparkMasterState(Path dataDir) throws Exception {
        Matcher port = Pattern.compile("webui-port (\\d+)").matcher(Files.readString(dataDir.resolve("logs/spark-master.log")));
        assertThat(port.find()).as("the master's command line in its log").isTrue();
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/json/")).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    private static List<String> upNodes(CqlSession session) {
        return session.getMetadata().getNodes().values().stream()
                .filter(node -> node.getState() == NodeState.UP)
                .map(Node::getBroadcastRpcAddress)
                .map(address -> address.orElseThrow().getAddress().getHostAddress())
                .toList();
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
    }

    private static ConfigResource topic(String name) {
        return new ConfigResource(ConfigResource.Type.TOPIC, name);
    }

    private static CqlSession cql(StackEndpoints endpoints) {
        var builder = CqlSession.builder().withLocalDatacenter(endpoints.cassandraDatacenter());
        for (String point : endpoints.cassandraContactPoints()) {
            String[] hostPort = point.split(":");
            builder.addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        return builder.withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                        // come back quickly once a killed node is restarted
                        .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofSeconds(1))
                        .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(2))
                        .build())
                .build();
    }

    private static Admin admin(StackEndpoints endpoints) {
        return Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000));
    }
}
