package io.lambdaplatform.it;

import io.lambdaplatform.it.stack.RealStack;
import io.lambdaplatform.stack.Provisioning;
import io.lambdaplatform.stack.StackEndpoints;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

@RealStack
class KafkaEventsTopicIT {
    // A producer-side timestamp far in the past: with LogAppendTime the broker must replace it.
    private static final Instant PRODUCER_TIMESTAMP = Instant.parse("2001-02-03T04:05:06Z");

    @Test
    void eventsCarryTheBrokersAppendTime(StackEndpoints endpoints) throws Exception {
        List<RecordMetadata> written = new ArrayList<>();
        Instant before = Instant.now();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 1; i <= 3; i++) {
                written.add(producer.send(new ProducerRecord<>(endpoints.eventsTopic(), null, PRODUCER_TIMESTAMP.toEpochMilli(),
                        "p-" + i, "{\"event_id\":\"e-it-" + i + "\"}")).get(30, TimeUnit.SECONDS));
            }
        }
        Instant after = Instant.now();

        List<ConsumerRecord<String, String>> read = readBack(endpoints, written);

        assertThat(read)
                .extracting(ConsumerRecord::key, ConsumerRecord::value, ConsumerRecord::timestampType)
                .containsExactly(
                        tuple("p-1", "{\"event_id\":\"e-it-1\"}", TimestampType.LOG_APPEND_TIME),
                        tuple("p-2", "{\"event_id\":\"e-it-2\"}", TimestampType.LOG_APPEND_TIME),
                        tuple("p-3", "{\"event_id\":\"e-it-3\"}", TimestampType.LOG_APPEND_TIME));
        for (int i = 0; i < 3; i++) {
            assertThat(read.get(i).timestamp())
                    .isEqualTo(written.get(i).timestamp())
                    .isNotEqualTo(PRODUCER_TIMESTAMP.toEpochMilli())
                    .isBetween(before.toEpochMilli(), after.toEpochMilli());
        }
    }

    @Test
    void topicsAreCreatedAsThePlatformNeedsThem(StackEndpoints endpoints) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
            ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, endpoints.eventsTopic());
            ConfigResource deadLetters = new ConfigResource(ConfigResource.Type.TOPIC, endpoints.dlqTopic());
            Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(events, deadLetters)).all().get(30, TimeUnit.SECONDS);

            ConfigEntry eventsTimestampType = configs.get(events).get("message.timestamp.type");
            assertThat(eventsTimestampType.value()).isEqualTo("LogAppendTime");
            assertThat(eventsTimestampType.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(configs.get(deadLetters).get("message.timestamp.type").value()).isEqualTo("CreateTime");

            assertThat(admin.describeTopics(List.of(endpoints.eventsTopic(), endpoints.dlqTopic())).allTopicNames().get(30, TimeUnit.SECONDS))
                    .allSatisfy((topic, description) -> assertThat(description.partitions()).hasSize(3));
        }
    }

    @Test
    void kappaModeKeepsEveryRecordOfTheEventsTopic(StackEndpoints endpoints) throws Exception {
        // A topic of its own: the shared stack's events topic keeps the broker's retention for the other tests.
        String topic = "it-keep-every-record-" + System.currentTimeMillis();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            assertThat(admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get("retention.ms").value())
                    .as("the broker's default, 7 days").isEqualTo("604800000");

            Provisioning.keepEveryRecord(admin, topic);

            ConfigEntry retention = admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource).get("retention.ms");
            assertThat(retention.value()).isEqualTo("-1");
            assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        }
    }

    private static List<ConsumerRecord<String, String>> readBack(StackEndpoints endpoints, List<RecordMetadata> written) {
        Map<TopicPartition, Long> wanted = new HashMap<>();
        for (RecordMetadata metadata : written) {
            wanted.put(new TopicPartition(metadata.topic(), metadata.partition()), metadata.offset());
        }
        List<ConsumerRecord<String, String>> read = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, endpoints.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(wanted.keySet());
            for (TopicPartition partition : wanted.keySet()) {
                long first = written.stream()
                        .filter(metadata -> metadata.partition() == partition.partition())
                        .mapToLong(RecordMetadata::offset)
                        .min()
                        .orElseThrow();
                consumer.seek(partition, first);
            }
            Instant deadline = Instant.now().plusSeconds(30);
            while (read.size() < written.size() && Instant.now().isBefore(deadline)) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    boolean ours = written.stream().anyMatch(metadata -> metadata.partition() == record.partition() && metadata.offset() == record.offset());
                    if (ours) {
                        read.add(record);
                    }
                }
            }
        }
        // back in the order they were written
        read.sort((a, b) -> Integer.compare(indexOf(written, a), indexOf(written, b)));
        return read;
    }

    private static int indexOf(List<RecordMetadata> written, ConsumerRecord<?, ?> record) {
        for (int i = 0; i < written.size(); i++) {
            if (written.get(i).partition() == record.partition() && written.get(i).offset() == record.offset()) {
                return i;
            }
        }
        throw new IllegalStateException("Not a record of this test: " + record);
    }
}
