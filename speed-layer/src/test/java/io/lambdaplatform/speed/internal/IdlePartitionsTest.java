package io.lambdaplatform.speed.internal;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsResult;
import org.apache.kafka.clients.admin.ForwardingAdmin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An idle check's admin calls end with the check. The admin client of Kafka 4.x keeps a {@code listOffsets} call whose
 * partition leader it cannot reach waiting until {@code default.api.timeout.ms} (KAFKA-20673), and later calls for the
 * partition join it; here no broker is reachable at all, and the admin client's own deadline is a minute.
 */
class IdlePartitionsTest {

    private static final String TOPIC = "events";

    @Test
    void aCheckWhoseBrokerCannotBeReachedEndsItsListOffsetsCallsAtItsOwnTimeoutNotTheAdminClients() throws Exception {
        try (RecordingAdmin admin = new RecordingAdmin(unreachableBroker())) {
            CaughtUpPartitions caughtUp = new CaughtUpPartitions();
            IdlePartitions check = new IdlePartitions(admin, TOPIC, "app", Duration.ofSeconds(1), caughtUp, Clock.systemUTC(),
                    Duration.ofMillis(500));

            check.run();

            assertThat(admin.listOffsetsCalls).hasSize(1);
            KafkaFuture<?> call = admin.listOffsetsCalls.get(0).all();
            assertThat(call.isDone()).as("the listOffsets call has ended").isTrue();
            assertThatThrownBy(call::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class);
            assertThat(caughtUp.of(0)).isEmpty();
        }
    }

    private static Map<String, Object> unreachableBroker() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    }

    /** A real admin client, except that it describes the topic itself (one partition) and keeps each {@code listOffsets} result. */
    private static final class RecordingAdmin extends ForwardingAdmin {

        final List<ListOffsetsResult> listOffsetsCalls = new ArrayList<>();

        RecordingAdmin(Map<String, Object> configs) {
            super(configs);
        }

        @Override
        public DescribeTopicsResult describeTopics(Collection<String> topicNames, DescribeTopicsOptions options) {
            Node node = new Node(1, "127.0.0.1", 9);
            TopicDescription description = new TopicDescription(TOPIC, false,
                    List.of(new TopicPartitionInfo(0, node, List.of(node), List.of(node))));
            return new DescribeTopicsResult(null, Map.of(TOPIC, KafkaFuture.completedFuture(description))) {};
        }

        @Override
        public ListOffsetsResult listOffsets(Map<TopicPartition, OffsetSpec> topicPartitionOffsets, ListOffsetsOptions options) {
            ListOffsetsResult result = super.listOffsets(topicPartitionOffsets, options);
            listOffsetsCalls.add(result);
            return result;
        }
    }
}
