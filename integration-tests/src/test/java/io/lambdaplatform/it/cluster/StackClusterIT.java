package io.lambdaplatform.it.cluster;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.auth.AuthenticationException;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.lambdaplatform.generator.EventGenerator;
import io.lambdaplatform.generator.GeneratorSettings;
import io.lambdaplatform.it.exactness.ServingAnswers;
import io.lambdaplatform.it.exactness.Truth;
import io.lambdaplatform.it.exactness.TruthSender;
import io.lambdaplatform.it.layers.LayerProcess;
import io.lambdaplatform.it.stack.ChildJvmTestStack;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.PlatformConfig;
import io.lambdaplatform.stack.LocalStack;
import io.lambdaplatform.stack.RunningServer;
import io.lambdaplatform.stack.RunningStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackOptions;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.CassandraBatchViews;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The platform on the secured cluster stack, with faults. The stack runs on its own data directory: a 3-node Cassandra
 * ring with the keyspace at RF 3, password authentication and client TLS required; 3 Kafka brokers on SASL_SSL with
 * SCRAM-SHA-512, {@code events} at RF 3, {@code min.insync.replicas=2} and LogAppendTime; S3Proxy; and a Spark standalone
 * master with 2 workers; certificates and passwords are made at start-up. First the security itself: {@code
 * endpoints.json} and every file holding a secret are owner-only, and a plaintext Kafka client, a wrong SCRAM password, a
 * Cassandra session without TLS, one without credentials and one as the default superuser are all refused. On the stack,
 * through {@code --stack D} unchanged, run three speed-layer instances in one group (one standby replica of every task's
 * state) and two serving instances; the batch job runs once on the standalone master and once on {@code local[2]}, both
 * reading the topic through SASL_SSL. At the end no generated password appears anywhere under the data directory except
 * in the files meant to hold it.
 *
 * <p>Events from the generator (late, out-of-order, duplicate and invalid ones) stream in while, one step at a time,
 * {@code kill -9} takes away one speed instance, one Spark worker in the middle of a recompute, one Cassandra node during
 * the speed layer's writes and another during a batch run's writes and publication, the Kafka leader of {@code events-0},
 * and one serving instance; the killed servers are restarted. {@code kill -STOP} pauses a third Cassandra node for 20 s:
 * it answers nothing and closes nothing, as a node in a long pause does. After each step every window of every product at 5m, 1h
 * and 1d, asked of each live serving instance, equals the {@link Truth}. Throughout, a {@link ServingWatch} asks the
 * serving instances every 200 ms and requires that each answers 200 (one node of three down or paused leaves every quorum) and
 * that no answer saying {@code complete: true} is short: it holds every event ingested before its speed watermark.
 */
// The longest class, so it starts first when classes run in parallel (integration-tests/pom.xml). It is the one class on
// a cluster stack: a second one beside it would take the cores every other class needs.
@Order(1)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackClusterIT {
    // Generous: two cores shared with the other suites' servers.
    private static final Duration BACK_WITHIN = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration BATCH_TIMEOUT = Duration.ofMinutes(8);
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofMinutes(4);
    private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(5);
    private static final int PRODUCTS = 8;
    private static final int SPEED_INSTANCES = 3;
    // Short ingest buckets and safety margin, so a batch cutoff lands close behind the events just sent.
    private static final IngestBuckets INGEST_BUCKETS = new IngestBuckets(Duration.ofSeconds(10));
    private static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);
    private static final Set<String> OWNER_ONLY = Set.of("rw-------");

    private final Truth truth = new Truth();
    private final List<String> table = new ArrayList<>();
    private final Instant suiteStart = Instant.now();
    private final List<LayerProcess> speed = new ArrayList<>();
    private final List<LayerProcess> serving = new ArrayList<>();
    private final List<ServingAnswers> answers = new ArrayList<>();

    private StackOptions options;
    private RunningStack stack;
    private StackEndpoints endpoints;
    private CassandraSettings cassandra;
    private List<String> passwords;
    private Path logs;
    private Map<String, String> environment;
    private TruthSender sender;
    private ServingWatch watch;
    private int batchRuns;

    @BeforeAll
    void startClusterStackAndPlatform() throws Exception {
        options = StackOptions.of(ChildJvmTestStack.freshDataDir("cluster-"))
                .withCluster(true)
                .withSecure(true)
                .withPartitions(3)
                .withStartTimeout(Duration.ofMinutes(6))
                .withSparkClasspath(sparkClasspath());
        stack = LocalStack.start(options);
        endpoints = stack.endpoints();
        logs = options.dataDir().resolve("logs");
        Properties generated = new Properties();
        try (Reader in = Files.newBufferedReader(options.dataDir().resolve("tls/passwords.properties"))) {
            generated.load(in);
        }
        passwords = generated.stringPropertyNames().stream().map(generated::getProperty).toList();
        assertThat(passwords).hasSize(4).allMatch(password -> password.matches("[0-9a-f]{48}"));
        // As the platform connects (TLS and credentials from endpoints.json), back quickly once a killed node restarts.
        CassandraSettings platform = CassandraSettings.from(PlatformConfig.load(null, options.dataDir()));
        String reconnection = CassandraSettings.DRIVER_ROOT + ".advanced.reconnection-policy { base-delay = 1 second, max-delay = 2 seconds }";
        cassandra = platform.withRequestTimeout(Duration.ofSeconds(30)).withDriverConfig(ConfigFactory.parseString(reconnection)
                .withFallback(ConfigFactory.parseString(platform.driverConfig())).root().render(ConfigRenderOptions.concise()));

        environment = new HashMap<>();
        environment.put("LAMBDA_INGEST_BUCKET__WIDTH", INGEST_BUCKETS.width().toSeconds() + "s");
        environment.put("LAMBDA_BATCH_SAFETY__MARGIN", SAFETY_MARGIN.toSeconds() + "s");
        environment.put("LAMBDA_BATCH_HEAP", "1g");
        environment.put("LAMBDA_BATCH_LEASE__TTL", "10s");
        environment.put("LAMBDA_SPEED_STANDBY__REPLICAS", "1");
        // A killed instance's partitions move after the session timeout; its open transaction ends after its timeout.
        environment.put("LAMBDA_SPEED_STREAMS_CONSUMER_SESSION_TIMEOUT_MS", "10000");
        environment.put("LAMBDA_SPEED_STREAMS_CONSUMER_HEARTBEAT_INTERVAL_MS", "2000");
        environment.put("LAMBDA_SPEED_STREAMS_PRODUCER_TRANSACTION_TIMEOUT_MS", "10000");

        // Through SASL_SSL, with the stack's client settings.
        sender = new TruthSender(endpoints.kafka().clientProperties(), endpoints.eventsTopic(), truth);
        for (int instance = 1; instance <= SPEED_INSTANCES; instance++) {
            speed.add(startSpeed(instance));
        }
        for (int instance = 1; instance <= 2; instance++) {
            int port = LayerProcess.freePort();
            serving.add(LayerProcess.serving(options.dataDir(), port, environment, logs.resolve("serving-" + instance + ".log")));
            answers.add(new ServingAnswers("http://127.0.0.1:" + port));
        }
        for (int instance = 0; instance < serving.size(); instance++) {
            answers.get(instance).awaitReady(serving.get(instance));
        }
        watch = ServingWatch.start(answers, truth);
    }

    @AfterAll
    void stopEverythingAndLeaveNoProcess() throws Exception {
        if (watch != null) {
            watch.close();
            System.out.println(watch.summary());
        }
        printTable();
        // All at once: each one's shutdown (a speed instance's last commit) takes seconds.
        List<LayerProcess> layers = concat(serving, speed);
        ExecutorService closing = Executors.newFixedThreadPool(Math.max(1, layers.size()));
        try {
            List<Future<Void>> closed = new ArrayList<>();
            for (LayerProcess process : layers) {
                closed.add(closing.submit(() -> {
                    process.close();
                    return null;
                }));
            }
            for (Future<Void> one : closed) {
                one.get(2, TimeUnit.MINUTES);
            }
        }
        finally {
            closing.shutdownNow();
        }
        if (sender != null) {
            sender.close();
        }
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
    void theClusterStackHasThreeCassandraNodesThreeBrokersAndTwoSparkWorkers() throws Exception {
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

        try (CqlSession session = cassandra.connect(); Admin admin = admin()) {
            assertThat(upNodes(session)).containsExactlyInAnyOrder("127.0.0.1", "127.0.0.2", "127.0.0.3");
            assertThat(session.getMetadata().getKeyspace(endpoints.cassandraKeyspace()).orElseThrow().getReplication())
                    .containsEntry("replication_factor", "3");
            assertThat(admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)).extracting(org.apache.kafka.common.Node::id)
                    .containsExactlyInAnyOrder(1, 2, 3);
            assertThat(describe(admin, endpoints.eventsTopic()).partitions()).hasSize(3).allSatisfy(partition -> {
                assertThat(partition.replicas()).hasSize(3);
                assertThat(partition.isr()).hasSize(3);
            });
            Config eventsConfig = admin.describeConfigs(List.of(topic(endpoints.eventsTopic()))).all().get(30, TimeUnit.SECONDS)
                    .get(topic(endpoints.eventsTopic()));
            assertThat(eventsConfig.get("min.insync.replicas").value()).isEqualTo("2");
            assertThat(eventsConfig.get("message.timestamp.type").value()).isEqualTo("LogAppendTime");
        }
    }

    @Test
    @Order(2)
    void endpointsCarryTheClientSecurityAndEverySecretIsOwnerOnly() throws IOException {
        Path dataDir = options.dataDir();
        var config = PlatformConfig.load(null, dataDir);
        KafkaSettings kafka = KafkaSettings.from(config);
        assertThat(kafka.security()).containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512")
                .containsEntry("ssl.truststore.location", dataDir.resolve("tls/truststore.p12").toString())
                .containsKeys("sasl.jaas.config", "ssl.truststore.password");
        assertThat(cassandra.username()).isEqualTo("lambda");
        assertThat(passwords).contains(cassandra.password());
        assertThat(cassandra.contactPoints()).hasSize(3);
        assertThat(endpoints.toString()).doesNotContain(passwords);

        // The files holding a password, and the key stores it protects.
        Set<Path> secrets = new HashSet<>(passwordHolders());
        secrets.add(dataDir.resolve("tls/truststore.p12"));
        for (int node = 1; node <= 3; node++) {
            secrets.add(dataDir.resolve("tls/node-" + node + ".p12"));
        }
        for (Path file : secrets) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("permissions of %s", file).isIn(OWNER_ONLY);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("tls")))).isEqualTo("rwx------");
        assertThat(Files.readString(dataDir.resolve("conf/kafka-1.properties"))).contains(
                "listeners=SASL_SSL://127.0.0.1:", "inter.broker.listener.name=SASL_SSL", "sasl.enabled.mechanisms=SCRAM-SHA-512");
        assertThat(Files.readString(dataDir.resolve("conf/cassandra-2.yaml"))).contains(
                "  class_name: org.apache.cassandra.auth.PasswordAuthenticator", "  optional: false", "tls/node-2.p12");
    }

    @Test
    @Order(3)
    void plaintextKafkaClientsWrongPasswordsAndCassandraSessionsWithoutTlsOrCredentialsAreRefused() throws Exception {
        // The plaintext client only ever times out (after 10 s): it asks first, and the other refusals run meanwhile.
        try (Admin plaintext = admin(Map.of(), Duration.ofSeconds(10))) {
            KafkaFuture<Collection<org.apache.kafka.common.Node>> plaintextNodes = plaintext.describeCluster().nodes();
            refuseWrongPasswordsAndCassandraSessionsWithoutTlsOrCredentials();
            assertThatThrownBy(() -> plaintextNodes.get(30, TimeUnit.SECONDS))
                    .as("a plaintext client on the SASL_SSL listener").isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
        }
    }

    private void refuseWrongPasswordsAndCassandraSessionsWithoutTlsOrCredentials() throws Exception {
        Map<String, String> wrongPassword = new HashMap<>(endpoints.kafka().security());
        wrongPassword.put("sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"lambda\" password=\"wrong\";");
        try (Admin impostor = admin(wrongPassword, Duration.ofSeconds(20))) {
            assertThatThrownBy(() -> impostor.describeCluster().nodes().get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(SaslAuthenticationException.class);
        }

        // Without TLS no node completes a connection, so a short timeout bounds the wait for each contact point.
        assertThatThrownBy(() -> cql(false, null, null, Duration.ofSeconds(3)).close()).as("CQL without TLS")
                .isInstanceOf(AllNodesFailedException.class);
        assertThatThrownBy(() -> cql(true, null, null).close()).as("TLS without credentials").isInstanceOf(AllNodesFailedException.class)
                .satisfies(e -> assertThat(((AllNodesFailedException) e).getAllErrors().values().stream().flatMap(List::stream))
                        .hasAtLeastOneElementOfType(AuthenticationException.class));
        assertThatThrownBy(() -> cql(true, "cassandra", "cassandra").close()).as("the default superuser, dropped")
                .isInstanceOf(AllNodesFailedException.class)
                .satisfies(e -> assertThat(((AllNodesFailedException) e).getAllErrors().values().stream().flatMap(List::stream))
                        .hasAtLeastOneElementOfType(AuthenticationException.class));
        try (CqlSession session = cassandra.connect()) {
            // The driver's metadata leaves the system keyspaces out.
            assertThat(session.execute("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = 'system_auth'").one()
                    .getMap("replication", String.class, String.class)).containsEntry("replication_factor", "3");
            assertThat(session.execute("SELECT role, is_superuser FROM system_auth.roles").all())
                    .extracting(row -> row.getString("role") + " " + row.getBoolean("is_superuser")).containsExactly("lambda true");
        }
    }

    /** Three speed instances share the partitions; one is killed mid-stream, its tasks move to the others, and it comes back. */
    @Test
    @Order(4)
    void killMinus9OfOneOfThreeSpeedInstancesMidStreamLeavesEveryWindowExact() throws Exception {
        TruthSender.Background stream = streamStarted(2);
        LayerProcess killed = speed.get(1);
        killed.kill();
        TimeUnit.SECONDS.sleep(5);
        speed.set(1, startSpeed(2));
        assertThat(speed.get(1).pid()).isNotEqualTo(killed.pid());
        stream.await(STREAM_TIMEOUT);
        assertExactEverywhere("4 kill -9 of 1 of 3 speed");
    }

    /**
     * {@code ./lambda batch --stack D} takes the stack's standalone master, so archive and recompute run on the two
     * workers' executors and write to S3 and to the RF-3 keyspace. {@code kill -9} of {@code spark-worker-2} as soon as
     * the driver starts the recompute takes its executor and that executor's shuffle files away: Spark runs the lost
     * tasks again on the other worker, and the published version is exactly the truth.
     */
    @Test
    @Order(5)
    void theBatchJobRunsOnTheWorkersAndStaysExactWhenOneIsKilledWhileItRecomputes() throws Exception {
        Instant lastAppend = sender.awaitCutoffPassesEverything(INGEST_BUCKETS, SAFETY_MARGIN);
        // The executors JIT-compile with C1 only, as every layer of the tests does (LayerProcess): a cold executor's C2
        // compiles took most of a core beside the ten servers. LAMBDA_BATCH_JIT is the executors' JIT flags too.
        LayerProcess batch = startBatch(Map.of("LAMBDA_BATCH_JIT", "-XX:TieredStopAtLevel=1"));
        awaitRecomputeStarted(batch);
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
        // The worker comes back while the driver's log and the published rows are checked.
        ExecutorService restarting = Executors.newSingleThreadExecutor();
        Future<RunningServer> workerBack = restarting.submit(() -> stack.restart("spark-worker-2"));
        restarting.shutdown();
        String driverLog = batch.logText();
        int recompute = driverLog.indexOf("Computing batch version");
        int lost = driverLog.indexOf("Lost executor", recompute);
        assertThat(lost).as("the driver lost an executor after the recompute began; log:\n%s", driverLog).isGreaterThan(recompute);
        assertThat(driverLog.indexOf("Published batch version", lost)).as("and published after that").isGreaterThan(lost);

        try (CqlSession session = cassandra.connect()) {
            CassandraBatchViews views = new CassandraBatchViews(session, endpoints.cassandraKeyspace());
            BatchVersion live = views.current().orElseThrow();
            assertThat(live.cutoff()).as("the cutoff passes every event").isAfter(lastAppend);
            assertThat(batchRows(views, live)).isEqualTo(truthRows());
            assertThat(live.eventCount()).isEqualTo(truth.eventCount());
        }
        assertThat(workerBack.get(BACK_WITHIN.toSeconds(), TimeUnit.SECONDS).name()).isEqualTo("spark-worker-2");
        answers.forEach(instance -> instance.awaitBatchVersion(1));
        assertThat(assertExactEverywhere("5 batch, kill -9 of a Spark worker").batch()).hasValueSatisfying(
                batchCoverage -> assertThat(batchCoverage.get("version").asLong()).isEqualTo(1));
    }

    /**
     * {@code kill -9} of {@code cassandra-2} while events stream in (the speed instances write with one replica of three
     * down), its restart; then {@code kill -9} of {@code cassandra-3} as a batch run starts writing its version, which it
     * still publishes at quorum, and its restart. This batch run takes Spark {@code local[2]}, as a single-machine
     * deployment of the batch job does: its driver reads the topic through SASL_SSL itself.
     */
    @Test
    @Order(6)
    void killMinus9OfACassandraNodeDuringSpeedWritesAndOfAnotherDuringABatchPublishLeavesEveryWindowExact() throws Exception {
        TruthSender.Background stream = streamStarted(4);
        stack.kill("cassandra-2");
        stream.await(STREAM_TIMEOUT);
        awaitSpeedCaughtUp();
        stack.restart("cassandra-2");
        assertExactEverywhere("6a kill -9 cassandra-2 mid-stream");

        long before = currentVersion();
        sender.send(generator(41, 600), 0);
        sender.awaitCutoffPassesEverything(INGEST_BUCKETS, SAFETY_MARGIN);
        LayerProcess batch = startBatch(Map.of("LAMBDA_BATCH_MASTER", "local[2]"));
        awaitRecomputeStarted(batch);
        stack.kill("cassandra-3");
        assertThat(batch.awaitExit(BATCH_TIMEOUT)).as("batch exit code with cassandra-3 down; log:\n%s", batch.logTail()).isZero();
        assertThat(currentVersion()).isGreaterThan(before);
        assertExactEverywhere("6b kill -9 cassandra-3 in batch");
        stack.restart("cassandra-3");
        assertExactEverywhere("6c cassandra-3 back");
    }

    /**
     * {@code kill -STOP} of {@code cassandra-1} for 20 s while events stream in, then {@code kill -CONT}. Unlike after
     * {@code kill -9}, no client learns the node is gone: its connections stay open and answer nothing. Reads sent to it go
     * on at another coordinator, the speed layer retries its writes, and the node wakes as a zombie whose peers marked it
     * down meanwhile. The watch requires every answer to be 200 all along.
     */
    @Test
    @Order(7)
    void aCassandraNodeStoppedMidStreamNeitherFailsAnAnswerNorLeavesAWindowInexact() throws Exception {
        TruthSender.Background stream = streamStarted(6);
        stack.pause("cassandra-1");
        TimeUnit.SECONDS.sleep(20);
        stack.resume("cassandra-1");
        stream.await(STREAM_TIMEOUT);
        awaitSpeedCaughtUp();
        assertExactEverywhere("7 kill -STOP cassandra-1 for 20 s");
    }

    /** {@code kill -9} of the broker leading {@code events-0} mid-stream: the producer, the speed group and the answers go on. */
    @Test
    @Order(8)
    void killMinus9OfTheKafkaLeaderMidStreamThenItsRestartLeavesEveryWindowExact() throws Exception {
        TruthSender.Background stream = streamStarted(5);
        int leader;
        try (Admin admin = admin()) {
            leader = describe(admin, endpoints.eventsTopic()).partitions().get(0).leader().id();
            stack.kill("kafka-" + leader);
            await("broker " + leader + " out of the ISRs").atMost(BACK_WITHIN).pollInterval(POLL)
                    .untilAsserted(() -> assertThat(describe(admin, endpoints.eventsTopic()).partitions()).allSatisfy(partition -> {
                        assertThat(partition.isr()).extracting(org.apache.kafka.common.Node::id).doesNotContain(leader);
                        assertThat(partition.leader().id()).isNotEqualTo(leader);
                    }));
            stream.await(STREAM_TIMEOUT);
            assertExactEverywhere("8a kill -9 kafka-" + leader + " (leader)");
            stack.restart("kafka-" + leader);
            await("broker " + leader + " back in every ISR").atMost(BACK_WITHIN).pollInterval(POLL)
                    .untilAsserted(() -> assertThat(describe(admin, endpoints.eventsTopic()).partitions())
                            .extracting(TopicPartitionInfo::isr)
                            .allSatisfy(isr -> assertThat(isr).extracting(org.apache.kafka.common.Node::id).containsExactlyInAnyOrder(1, 2, 3)));
        }
        sender.send(generator(51, 300), 0);
        assertExactEverywhere("8b kafka-" + leader + " back");
    }

    /** {@code kill -9} of one serving instance: the other keeps answering, exactly, also after a rollback. */
    @Test
    @Order(9)
    void killMinus9OfOneServingInstanceLeavesTheOtherAnsweringAndARollbackIsExact() throws Exception {
        watch.forget(answers.get(0));
        serving.get(0).kill();
        answers.remove(0);
        serving.remove(0);
        long before = currentVersion();
        LayerProcess rollback = LayerProcess.batch(options.dataDir(), environment, logs.resolve("batch-rollback.log"), "rollback");
        assertThat(rollback.awaitExit(Duration.ofMinutes(2))).as("rollback exit code; log:\n%s", rollback.logTail()).isZero();
        assertThat(currentVersion()).isLessThan(before);
        answers.forEach(instance -> instance.awaitBatchVersion(1));
        assertThat(assertExactEverywhere("9 serving killed, rollback").batch()).hasValueSatisfying(
                batchCoverage -> assertThat(batchCoverage.get("version").asLong()).isEqualTo(1));
    }

    /** What the watch saw all along: only 200s, and not one short answer that said it was complete. */
    @Test
    @Order(10)
    void noServingInstanceFailedNorAnsweredShortWhileSayingComplete() {
        ServingWatch.Seen seen = watch.seen();
        assertThat(seen.problems()).as("answers that failed or were short while complete").isEmpty();
        assertThat(seen.completeAnswers()).as("complete answers checked").isGreaterThan(100);
    }

    /**
     * Every generated password occurs only in the files that must hold it: in no log (the servers', the layers', the
     * batch driver's and executors'), data or state file. Spark's home holds only links to the project's Spark jars.
     */
    @Test
    @Order(11)
    void noGeneratedPasswordIsOutsideTheFilesMeantToHoldIt() throws IOException {
        Path dataDir = options.dataDir();
        Set<Path> holders = passwordHolders();
        Path sparkJars = dataDir.resolve("spark/home");
        List<String> leaks = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(dataDir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(file -> !holders.contains(file) && !file.startsWith(sparkJars)).toList()) {
                byte[] content;
                try {
                    content = Files.readAllBytes(file);
                }
                catch (IOException e) {
                    continue; // a file a server removed meanwhile (a segment, a temporary file)
                }
                String text = new String(content, StandardCharsets.ISO_8859_1);
                scanned++;
                for (String password : passwords) {
                    if (text.contains(password)) {
                        leaks.add(dataDir.relativize(file).toString());
                    }
                }
            }
        }
        assertThat(scanned).as("files scanned under %s", dataDir).isGreaterThan(100);
        assertThat(leaks).as("files holding a generated password").isEmpty();
    }

    private LayerProcess startSpeed(int instance) {
        Map<String, String> speedEnvironment = new HashMap<>(environment);
        speedEnvironment.put("LAMBDA_JAVA_OPTS", "-Xmx384m");
        return LayerProcess.start("speed-" + instance, List.of("speed", "--stack", options.dataDir().toString(), "--http-port", "0"),
                speedEnvironment, logs.resolve("speed-" + instance + ".log"));
    }

    /** 2,400 records at 150 per second, from a thread of their own; returns a few seconds into the stream. */
    private TruthSender.Background streamStarted(long seed) throws InterruptedException {
        TruthSender.Background stream = sender.background(generator(seed, 2_400), 150);
        TimeUnit.SECONDS.sleep(4);
        assertThat(stream.isSending()).as("events still arriving").isTrue();
        return stream;
    }

    /** The files meant to hold a generated password: the stack's endpoints, the password file, each server's configuration. */
    private Set<Path> passwordHolders() {
        Path dataDir = options.dataDir();
        Set<Path> holders = new HashSet<>(Set.of(dataDir.resolve(StackEndpoints.FILE_NAME), dataDir.resolve("tls/passwords.properties")));
        for (int node = 1; node <= 3; node++) {
            holders.add(dataDir.resolve("conf/kafka-" + node + ".properties"));
            holders.add(dataDir.resolve("conf/cassandra-" + node + ".yaml"));
        }
        return holders;
    }

    /** {@code ./lambda batch --stack D} with the suite's environment and {@code extra} on top. */
    private LayerProcess startBatch(Map<String, String> extra) {
        batchRuns++;
        Map<String, String> batchEnvironment = new HashMap<>(environment);
        batchEnvironment.putAll(extra);
        return LayerProcess.batch(options.dataDir(), batchEnvironment, logs.resolve("batch-" + batchRuns + ".log"));
    }

    private static void awaitRecomputeStarted(LayerProcess batch) {
        await("the driver starts the recompute").atMost(BATCH_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> batch.logText().contains("Computing batch version") || !batch.isAlive());
        assertThat(batch.isAlive()).as("batch still running; log:\n%s", batch.logTail()).isTrue();
    }

    private void awaitSpeedCaughtUp() {
        sender.flush();
        Instant sentBy = Instant.now();
        for (ServingAnswers instance : answers) {
            instance.awaitCaughtUp(sentBy, truth, CATCH_UP_TIMEOUT, () -> speed.stream().allMatch(LayerProcess::isAlive), logs.toString());
        }
    }

    /** Waits for the speed layer, then compares every window on every live serving instance; returns the last comparison. */
    private ServingAnswers.Checked assertExactEverywhere(String step) {
        awaitSpeedCaughtUp();
        ServingAnswers.Checked checked = null;
        for (ServingAnswers instance : answers) {
            checked = instance.assertExact(truth, step);
        }
        String version = checked.batch().map(batch -> batch.get("version").asText()).orElse("-");
        table.add(String.format(Locale.ROOT, "%-36s %8d %8d %7d %6d %7s %10.1f", step, truth.eventCount(), truth.duplicatesSent(),
                checked.deadLetters(), checked.windows(), version, Duration.between(suiteStart, Instant.now()).toMillis() / 1000.0));
        return checked;
    }

    private void printTable() {
        StringBuilder out = new StringBuilder("\nCluster exactness suite (" + PRODUCTS + " products, 5m/1h/1d, every window on every serving instance)\n");
        out.append(String.format(Locale.ROOT, "%-36s %8s %8s %7s %6s %7s %10s%n", "step", "events", "dups", "dlq", "windows", "batch", "at (s)"));
        table.forEach(row -> out.append(row).append('\n'));
        System.out.println(out);
    }

    private long currentVersion() {
        try (CqlSession session = cassandra.connect()) {
            return new CassandraBatchViews(session, endpoints.cassandraKeyspace()).current().orElseThrow().version();
        }
    }

    private EventGenerator generator(long seed, int count) {
        return new EventGenerator(new GeneratorSettings(count, PRODUCTS, 20261203L * 31 + seed, 0.15, 0.05, 0.03, Duration.ofDays(2)),
                InstantSource.system());
    }

    /** Product and granularity → window start → measures, as the truth has them. */
    private Map<String, Map<Instant, String>> truthRows() {
        Map<String, Map<Instant, String>> rows = new TreeMap<>();
        for (String product : truth.products()) {
            for (String granularity : Truth.GRANULARITIES.keySet()) {
                rows.put(product + " " + granularity, truth.windows(product, granularity));
            }
        }
        return rows;
    }

    /** The same shape, read from the view rows of one batch version. */
    private Map<String, Map<Instant, String>> batchRows(CassandraBatchViews views, BatchVersion version) {
        Instant from = truth.earliest().truncatedTo(ChronoUnit.DAYS);
        Instant to = truth.latest().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1));
        Map<String, Map<Instant, String>> rows = new TreeMap<>();
        for (String product : truth.products()) {
            for (String granularity : Truth.GRANULARITIES.keySet()) {
                Map<Instant, String> windows = new TreeMap<>();
                for (ViewRow row : views.read(version.version(), product, Granularity.parse(granularity), from, to)) {
                    windows.put(row.key().window().start(), Truth.describe(row.metrics().eventCount(), row.metrics().revenue(),
                            row.metrics().durationSumMs().longValueExact()));
                }
                rows.put(product + " " + granularity, windows);
            }
        }
        return rows;
    }

    private static List<LayerProcess> concat(List<LayerProcess> first, List<LayerProcess> second) {
        List<LayerProcess> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
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

    /** A session as a client might try: with or without TLS, with or without credentials; for the refusals. */
    private CqlSession cql(boolean tls, String username, String password) {
        return cql(tls, username, password, Duration.ofSeconds(10));
    }

    private CqlSession cql(boolean tls, String username, String password, Duration timeout) {
        var builder = CqlSession.builder().withLocalDatacenter(endpoints.cassandraDatacenter());
        for (String point : endpoints.cassandraContactPoints()) {
            String[] hostPort = point.split(":");
            builder.addContactPoint(new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
        }
        var config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout)
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout);
        if (tls) {
            config = config.withString(DefaultDriverOption.SSL_ENGINE_FACTORY_CLASS, "DefaultSslEngineFactory")
                    .withString(DefaultDriverOption.SSL_TRUSTSTORE_PATH, endpoints.security().cassandraTruststorePath())
                    .withString(DefaultDriverOption.SSL_TRUSTSTORE_PASSWORD, endpoints.security().cassandraTruststorePassword());
        }
        if (username != null) {
            builder.withAuthCredentials(username, password);
        }
        return builder.withConfigLoader(config.build()).build();
    }

    /** An admin client of the cluster with the stack's client security settings; generous timeouts for the faults. */
    private Admin admin() {
        return admin(endpoints.kafka().security(), Duration.ofSeconds(60));
    }

    /** An admin client with the given client security settings (none: plaintext), whose calls fail after {@code apiTimeout}. */
    private Admin admin(Map<String, String> security, Duration apiTimeout) {
        Map<String, Object> properties = new HashMap<>(security);
        properties.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap());
        properties.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) apiTimeout.toMillis() / 2);
        properties.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) apiTimeout.toMillis());
        return Admin.create(properties);
    }
}
