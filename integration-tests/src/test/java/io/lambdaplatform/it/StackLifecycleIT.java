package io.lambdaplatform.it;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.lambdaplatform.it.stack.ChildJvmTestStack;
import io.lambdaplatform.stack.LocalStack;
import io.lambdaplatform.stack.RunningServer;
import io.lambdaplatform.stack.RunningStack;
import io.lambdaplatform.stack.StackEndpoints;
import io.lambdaplatform.stack.StackMain;
import io.lambdaplatform.stack.StackOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Starting, stopping and restarting stacks of its own; does not use the shared stack. */
// Among the longest classes, so it starts early when classes run in parallel (integration-tests/pom.xml).
@Order(4)
class StackLifecycleIT {
    private static final Duration ORPHAN_DEADLINE = Duration.ofSeconds(30);

    @Test
    void closeStopsEveryServerAndARestartKeepsTheData() throws Exception {
        StackOptions options = StackOptions.of(ChildJvmTestStack.freshDataDir("restart-")).withPartitions(1);
        List<Long> firstPids;
        try (RunningStack stack = LocalStack.start(options)) {
            firstPids = stack.servers().stream().map(RunningServer::pid).toList();
            assertThat(stack.servers()).extracting(RunningServer::name).containsExactly("cassandra", "s3proxy", "kafka");
            assertThat(firstPids).allMatch(StackLifecycleIT::isAlive);
            assertThat(options.dataDir().resolve("endpoints.json")).exists();
            assertThat(StackEndpoints.read(options.dataDir())).isEqualTo(stack.endpoints());

            writeOneOfEach(stack.endpoints());
        }

        assertThat(firstPids).noneMatch(StackLifecycleIT::isAlive);
        assertThat(options.dataDir().resolve("endpoints.json")).doesNotExist();

        try (RunningStack again = LocalStack.start(options)) {
            StackEndpoints endpoints = again.endpoints();
            assertThat(readTheOnlyEvent(endpoints)).isEqualTo("kept across restarts");
            try (CqlSession session = cql(endpoints)) {
                assertThat(session.execute("SELECT note FROM it_restart.notes WHERE id = 'n-1'").one().getString("note")).isEqualTo("kept across restarts");
            }
            // A paused server is stopped, not gone; resumed, it answers again. The kernel stops and wakes a process's
            // threads asynchronously, after kill has returned.
            long s3proxy = again.pause("s3proxy").pid();
            await("s3proxy stopped").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(processState(s3proxy)).isEqualTo("T"));
            assertThat(again.resume("s3proxy").pid()).isEqualTo(s3proxy);
            await("s3proxy running").atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(processState(s3proxy)).isNotEqualTo("T"));
            try (S3Client s3 = s3(endpoints)) {
                assertThat(s3.getObjectAsBytes(request -> request.bucket(endpoints.s3Bucket()).key("restart/note.txt")).asUtf8String())
                        .isEqualTo("kept across restarts");
            }
        }
    }

    /** The state letter of {@code /proc/PID/stat}: {@code T} while stopped by a signal. */
    private static String processState(long pid) throws IOException {
        String stat = Files.readAllLines(Path.of("/proc", Long.toString(pid), "stat")).get(0);
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }

    @Test
    void serversExitWhenTheLauncherIsKilled() throws Exception {
        Path dataDir = ChildJvmTestStack.freshDataDir("kill9-");
        Path launcherLog = dataDir.resolveSibling(dataDir.getFileName() + "-launcher.log");
        Process launcher = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp", System.getProperty("java.class.path"),
                StackMain.class.getName(), "stack", "--data-dir", dataDir.toString(), "--partitions", "1")
                .redirectErrorStream(true)
                .redirectOutput(launcherLog.toFile())
                .start();
        try {
            awaitFile(dataDir.resolve("endpoints.json"), launcher, launcherLog);
            List<ProcessHandle> servers = launcher.toHandle().children().toList();
            assertThat(servers).extracting(ProcessHandle::pid).containsExactlyInAnyOrderElementsOf(printedServerPids(launcherLog));

            launcher.destroyForcibly();
            assertThat(launcher.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.exitValue()).isEqualTo(137);

            Instant deadline = Instant.now().plus(ORPHAN_DEADLINE);
            for (ProcessHandle server : servers) {
                Optional<ProcessHandle> exited = Optional.empty();
                try {
                    exited = Optional.of(server.onExit().get(Math.max(1, Duration.between(Instant.now(), deadline).toMillis()), TimeUnit.MILLISECONDS));
                }
                catch (TimeoutException e) {
                    server.destroyForcibly();
                    fail("Server pid " + server.pid() + " outlived its killed launcher by more than " + ORPHAN_DEADLINE);
                }
                assertThat(exited).isPresent();
            }
            assertThat(servers).noneMatch(ProcessHandle::isAlive);
        }
        finally {
            List<ProcessHandle> left = launcher.toHandle().descendants().toList();
            launcher.destroyForcibly();
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static void writeOneOfEach(StackEndpoints endpoints) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(endpoints.eventsTopic(), "p-1", "kept across restarts")).get(30, TimeUnit.SECONDS);
        }
        try (CqlSession session = cql(endpoints)) {
            session.execute("CREATE KEYSPACE it_restart WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
            session.execute("CREATE TABLE it_restart.notes (id text PRIMARY KEY, note text)");
            session.execute("INSERT INTO it_restart.notes (id, note) VALUES ('n-1', 'kept across restarts')");
        }
        try (S3Client s3 = s3(endpoints)) {
            s3.putObject(request -> request.bucket(endpoints.s3Bucket()).key("restart/note.txt"), RequestBody.fromString("kept across restarts"));
        }
    }

    private static String readTheOnlyEvent(StackEndpoints endpoints) {
        TopicPartition partition = new TopicPartition(endpoints.eventsTopic(), 0);
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            Instant deadline = Instant.now().plusSeconds(30);
            while (values.isEmpty() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
            assertThat(consumer.endOffsets(List.of(partition))).containsEntry(partition, 1L);
        }
        assertThat(values).hasSize(1);
        return values.get(0);
    }

    private static CqlSession cql(StackEndpoints endpoints) {
        String[] contactPoint = endpoints.cassandraContactPoint().split(":");
        return CqlSession.builder()
                .addContactPoint(new InetSocketAddress(contactPoint[0], Integer.parseInt(contactPoint[1])))
                .withLocalDatacenter(endpoints.cassandraDatacenter())
                // DDL on two cores shared with other test classes' servers can take longer than the driver's 2 s
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
    }

    private static S3Client s3(StackEndpoints endpoints) {
        return S3Client.builder()
                .endpointOverride(URI.create(endpoints.s3Endpoint()))
                .region(Region.of(endpoints.s3Region()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(endpoints.s3AccessKey(), endpoints.s3SecretKey())))
                .forcePathStyle(true)
                .build();
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    /** The pids the launcher printed, one line per server: {@code   kafka  ready in 5.8 s  pid 7725  log …}. */
    private static List<Long> printedServerPids(Path launcherLog) throws IOException {
        Pattern serverLine = Pattern.compile("^\\s+(cassandra|s3proxy|kafka)\\s+ready in .* pid (\\d+) .*$");
        List<Long> pids = new ArrayList<>();
        for (String line : Files.readAllLines(launcherLog)) {
            Matcher matcher = serverLine.matcher(line);
            if (matcher.matches()) {
                pids.add(Long.parseLong(matcher.group(2)));
            }
        }
        assertThat(pids).as("server pids printed in %s", launcherLog).hasSize(3);
        return pids;
    }

    private static void awaitFile(Path file, Process launcher, Path launcherLog) {
        await(file + " written; launcher log " + launcherLog).atMost(StackOptions.DEFAULT_START_TIMEOUT).pollInterval(Duration.ofMillis(250))
                .failFast("the launcher exited before writing " + file + "; log " + launcherLog, () -> !launcher.isAlive() && !Files.exists(file))
                .until(() -> Files.exists(file));
    }
}
