package io.lambdaplatform.batch.internal;

import io.lambdaplatform.batch.IngestLog;
import io.lambdaplatform.batch.MasterDatasetException;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.batch.PartitionLog;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/** {@link IngestLog} of a Kafka topic, through the Admin client ({@code listOffsets}) and, for one record, a consumer. */
public final class KafkaIngestLog implements IngestLog {

    private static final Duration POLL_LIMIT = Duration.ofSeconds(30);

    private final KafkaSettings kafka;
    private final String topic;

    /** The log of {@code kafka}'s events topic. */
    public KafkaIngestLog(KafkaSettings kafka) {
        this.kafka = requireNonNull(kafka, "kafka is null");
        this.topic = kafka.eventsTopic();
    }

    @Override
    public Map<Integer, PartitionLog> partitions() {
        Map<String, Object> adminSettings = kafka.clientProperties();
        adminSettings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(adminSettings)) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
            List<TopicPartition> partitions = description.partitions().stream()
                    .map(TopicPartitionInfo::partition)
                    .map(partition -> new TopicPartition(topic, partition))
                    .toList();
            Map<TopicPartition, ListOffsetsResultInfo> starts = list(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, ListOffsetsResultInfo> ends = list(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, ListOffsetsResultInfo> newest = list(admin, partitions, OffsetSpec.maxTimestamp());
            Map<Integer, PartitionLog> logs = new TreeMap<>();
            for (TopicPartition partition : partitions) {
                ListOffsetsResultInfo max = newest.get(partition);
                long start = starts.get(partition).offset();
                long end = ends.get(partition).offset();
                boolean hasRecords = end > start && max != null && max.offset() >= 0 && max.timestamp() >= 0;
                logs.put(partition.partition(), new PartitionLog(partition.partition(), start, end,
                        hasRecords ? Instant.ofEpochMilli(max.timestamp()) : null));
            }
            return logs;
        }
        catch (ExecutionException | TimeoutException e) {
            throw new MasterDatasetException("Cannot list the offsets of topic " + topic + " at " + kafka.bootstrapServers() + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MasterDatasetException("Interrupted while listing the offsets of topic " + topic, e);
        }
    }

    @Override
    public Map<Integer, Long> firstOffsetsAtOrAfter(Instant time) {
        Map<String, Object> adminSettings = kafka.clientProperties();
        adminSettings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        try (Admin admin = Admin.create(adminSettings)) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic)
                    .partitions().stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<Integer, Long> offsets = new TreeMap<>();
            list(admin, partitions, OffsetSpec.forTimestamp(time.toEpochMilli())).forEach((partition, info) -> {
                if (info.offset() >= 0) {
                    offsets.put(partition.partition(), info.offset());
                }
            });
            return offsets;
        }
        catch (ExecutionException | TimeoutException e) {
            throw new MasterDatasetException("Cannot list the offsets of topic " + topic + " by timestamp " + time + ": " + e.getMessage(), e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MasterDatasetException("Interrupted while listing the offsets of topic " + topic, e);
        }
    }

    @Override
    public Optional<Instant> appendTimeAt(int partition, long offset) {
        Map<String, Object> settings = kafka.clientProperties();
        settings.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        settings.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        settings.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition target = new TopicPartition(topic, partition);
            consumer.assign(List.of(target));
            consumer.seek(target, offset);
            long deadline = System.nanoTime() + POLL_LIMIT.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= offset) {
                        return Optional.of(Instant.ofEpochMilli(record.timestamp()));
                    }
                }
                if (consumer.position(target) >= consumer.endOffsets(List.of(target)).get(target)) {
                    return Optional.empty();
                }
            }
            throw new MasterDatasetException("No record at or after offset " + offset + " of " + target + " within " + POLL_LIMIT);
        }
    }

    private Map<TopicPartition, ListOffsetsResultInfo> list(Admin admin, List<TopicPartition> partitions, OffsetSpec spec)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<TopicPartition, OffsetSpec> request = partitions.stream().collect(Collectors.toMap(Function.identity(), partition -> spec));
        return admin.listOffsets(request).all().get(60, TimeUnit.SECONDS);
    }
}
