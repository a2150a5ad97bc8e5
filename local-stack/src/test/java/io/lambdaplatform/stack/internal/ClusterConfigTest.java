package io.lambdaplatform.stack.internal;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generated configuration of the cluster stack's nodes: one address each, the same ports, one seed, one quorum. */
class ClusterConfigTest {
    private static final Path DATA_DIR = Path.of("/tmp/cluster-stack");

    @Test
    void threeCassandraNodesListenOnTheirOwnAddressWithTheSamePortsAndTheFirstAsSeed() {
        List<CassandraNode> ring = IntStream.rangeClosed(1, 3).mapToObj(n -> CassandraNode.ringMember(DATA_DIR, n, 3, "768m", 37000, 39042)).toList();

        assertThat(ring).extracting(CassandraNode::name).containsExactly("cassandra-1", "cassandra-2", "cassandra-3");
        assertThat(ring).extracting(CassandraNode::contactPoint).containsExactly("127.0.0.1:39042", "127.0.0.2:39042", "127.0.0.3:39042");
        assertThat(ring).extracting(CassandraNode::yamlFile).containsExactly(
                DATA_DIR.resolve("conf/cassandra-1.yaml"), DATA_DIR.resolve("conf/cassandra-2.yaml"), DATA_DIR.resolve("conf/cassandra-3.yaml"));
        String second = ring.get(1).cassandraYaml();
        assertThat(second.lines()).contains(
                "listen_address: 127.0.0.2",
                "rpc_address: 127.0.0.2",
                "storage_port: 37000",
                "native_transport_port: 39042",
                "      - seeds: \"127.0.0.1:37000\"",
                "num_tokens: 1",
                "initial_token: -3074457345618258603",
                "auto_bootstrap: false",
                "data_file_directories:",
                "  - /tmp/cluster-stack/cassandra-2/data",
                "commitlog_directory: /tmp/cluster-stack/cassandra-2/commitlog");
        assertThat(ring).extracting(CassandraNode::cassandraYaml).doesNotHaveDuplicates();
        assertThat(ring.get(0).cassandraYaml()).contains("initial_token: -9223372036854775808\n");
        assertThat(ring.get(2).cassandraYaml()).contains("initial_token: 3074457345618258602\n");
    }

    @Test
    void theSingleNodeKeepsItsNameDirectoriesAndToken() {
        CassandraNode single = CassandraNode.single(DATA_DIR, 37000, 39042, CassandraNode.NO_SCHEMA);

        assertThat(single.name()).isEqualTo("cassandra");
        assertThat(single.yamlFile()).isEqualTo(DATA_DIR.resolve("conf/cassandra.yaml"));
        assertThat(single.cassandraYaml().lines()).contains(
                "listen_address: 127.0.0.1", "initial_token: 0", "auto_bootstrap: true", "  - /tmp/cluster-stack/cassandra/data");
    }

    @Test
    void threeKafkaNodesAreVotersOfOneQuorumAndReplicateInternalTopicsThreeTimes() {
        List<KafkaNode> brokers = IntStream.rangeClosed(1, 3)
                .mapToObj(id -> KafkaNode.clusterMember(DATA_DIR, id, 3, "cluster-id", "384m", 39092, 39093, 3))
                .toList();

        assertThat(brokers).extracting(KafkaNode::name).containsExactly("kafka-1", "kafka-2", "kafka-3");
        assertThat(new KafkaCluster(brokers).bootstrap()).isEqualTo("127.0.0.1:39092,127.0.0.2:39092,127.0.0.3:39092");
        assertThat(brokers).extracting(KafkaNode::propertiesFile).containsExactly(
                DATA_DIR.resolve("conf/kafka-1.properties"), DATA_DIR.resolve("conf/kafka-2.properties"), DATA_DIR.resolve("conf/kafka-3.properties"));
        assertThat(brokers.get(2).serverProperties().lines()).contains(
                "process.roles=broker,controller",
                "node.id=3",
                "controller.quorum.voters=1@127.0.0.1:39093,2@127.0.0.2:39093,3@127.0.0.3:39093",
                "listeners=PLAINTEXT://127.0.0.3:39092,CONTROLLER://127.0.0.3:39093",
                "advertised.listeners=PLAINTEXT://127.0.0.3:39092",
                "log.dirs=/tmp/cluster-stack/kafka-3",
                "default.replication.factor=3",
                "min.insync.replicas=2",
                "offsets.topic.replication.factor=3",
                "transaction.state.log.replication.factor=3",
                "transaction.state.log.min.isr=2");
        assertThat(brokers).extracting(KafkaNode::serverProperties).doesNotHaveDuplicates();
    }

    @Test
    void theSingleKafkaNodeIsItsOwnOnlyVoter() {
        KafkaNode single = KafkaNode.single(DATA_DIR, 39092, 39093, new io.lambdaplatform.stack.TopicLayout("events", "events.dlq", 3, (short) 1));

        assertThat(single.name()).isEqualTo("kafka");
        assertThat(single.serverProperties().lines()).contains(
                "node.id=1", "controller.quorum.voters=1@127.0.0.1:39093", "log.dirs=/tmp/cluster-stack/kafka",
                "offsets.topic.replication.factor=1", "min.insync.replicas=1");
    }

    @Test
    void ringTokensAreEvenlySpacedOverTheMurmur3Range() {
        assertThat(CassandraNode.ringToken(1, 1)).isEqualTo("-9223372036854775808");
        assertThat(CassandraNode.ringToken(2, 2)).isEqualTo("0");
        assertThat(CassandraNode.ringToken(3, 4)).isEqualTo("0");
        assertThatThrownBy(() -> CassandraNode.ringMember(DATA_DIR, 4, 3, "768m", 1, 2)).hasMessage("Ring member 4 is not in 1..3");
    }

    @Test
    void portsAreAllocatedFreeOnEveryAddress() throws Exception {
        List<String> hosts = LoopbackHosts.first(3);
        assertThat(hosts).containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3");

        List<Integer> ports = LoopbackPorts.allocate(5, hosts);

        assertThat(ports).hasSize(5).doesNotHaveDuplicates();
        for (String host : hosts) {
            for (int port : ports) {
                try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(host))) {
                    assertThat(socket.getLocalPort()).isEqualTo(port);
                }
            }
        }
    }
}
