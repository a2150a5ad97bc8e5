package io.lambdaplatform.it.cluster;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lambdaplatform.it.stack.ChildJvmTestStack;
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
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster stack on its own data directory: a 3-node Cassandra ring with the keyspace at RF 3, 3 Kafka brokers with
 * {@code events} at RF 3, {@code min.insync.replicas=2} and LogAppendTime; {@code kill -9} of one Cassandra node and of
 * one broker, each back (UP, in every ISR) after its restart; a Spark standalone master with 2 ALIVE workers; and no
 * process left once the stack is closed.
 */
class StackClusterIT {
    // Generous: two cores shared with the other suites' servers.
    private static final Duration BACK_WITHIN = Duration.ofMinutes(3);
    private static final Duration POLL = Duration.ofSeconds(2);

    @Test
    void killNineOfOneCassandraNodeAndOneBrokerThenRestartBringsEachBackIntoItsCluster() throws Exception {
        StackOptions options = StackOptions.of(ChildJvmTestStack.freshDataDir("cluster-"))
                .withCluster(true)
                .withPartitions(3)
                .withStartTimeout(Duration.ofMinutes(6))
                .withSparkClasspath(sparkClasspath());
        List<Long> pids;
        try (RunningStack stack = LocalStack.start(options)) {
            pids = stack.servers().stream().map(RunningServer::pid).toList();
            StackEndpoints endpoints = stack.endpoints();
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
                assertThat(pids).doesNotContain(cassandra2.pid());
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
            pids = stack.servers().stream().map(RunningServer::pid).toList();
        }

        assertThat(pids).hasSize(10).noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                .as("processes left behind by the cluster stack").doesNotContainAnyElementsOf(pids);
        assertThat(options.dataDir().resolve(StackEndpoints.FILE_NAME)).doesNotExist();
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
