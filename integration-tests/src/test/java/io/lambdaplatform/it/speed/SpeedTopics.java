package io.lambdaplatform.it.speed;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;

/** A speed IT's own events topic (LogAppendTime) and its dead-letter topic {@code TOPIC.dlq}, on the shared broker. */
final class SpeedTopics {

    private SpeedTopics() {}

    /**
     * The environment of a speed layer that reads {@code topic} (dead letters to {@code TOPIC.dlq}) as its own
     * application {@code applicationId} and writes {@code keyspace}, whose schema the test applied.
     */
    static Map<String, String> speedEnvironment(String topic, String keyspace, String applicationId) {
        return Map.of(
                "LAMBDA_KAFKA_EVENTS__TOPIC", topic,
                "LAMBDA_KAFKA_DEAD__LETTER__TOPIC", topic + ".dlq",
                "LAMBDA_CASSANDRA_KEYSPACE", keyspace,
                "LAMBDA_SPEED_APPLICATION__ID", applicationId,
                "LAMBDA_SPEED_CREATE__SCHEMA", "false");
    }

    static void create(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(
                    new NewTopic(topic, partitions, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime")),
                    new NewTopic(topic + ".dlq", partitions, (short) 1))).all().get();
        }
    }
}
