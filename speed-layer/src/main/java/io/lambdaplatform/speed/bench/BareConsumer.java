package io.lambdaplatform.speed.bench;

import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.config.KafkaSettings;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The baseline of the speed benchmark: a plain {@link KafkaConsumer} (read_committed, default settings) that
 * reads the same partitions to the same end offsets and judges every record with {@link EventCodec}, as the
 * speed layer's source tasks do, and does nothing else.
 */
final class BareConsumer {

    /**
     * What one read of the topic found and how long it took, from creating the consumer to the last record judged; and how
     * long the records after the first {@code warmUpRecords} took, once the JIT had compiled the hot code.
     */
    record Result(long records, long valid, Duration elapsed, long warmUpRecords, Duration afterWarmUp) {
        double recordsPerSecond() {
            return records / (elapsed.toNanos() / 1e9);
        }

        /** The rate over the records after the first {@code warmUpRecords}. */
        double warmRecordsPerSecond() {
            return (records - warmUpRecords) / (afterWarmUp.toNanos() / 1e9);
        }
    }

    private final KafkaSettings kafka;

    BareConsumer(KafkaSettings kafka) {
        this.kafka = requireNonNull(kafka, "kafka is null");
    }

    /** Reads every partition to its end; the rate after the warm-up starts at the first poll that passes {@code warmUp} records. */
    Result read(Map<TopicPartition, Long> ends, long warmUp) {
        Map<String, Object> settings = kafka.clientProperties(Map.of(
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false));
        long started = System.nanoTime();
        long records = 0;
        long valid = 0;
        long warmedAt = started;
        long recordsWhenWarm = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(ends.keySet());
            consumer.seekToBeginning(ends.keySet());
            Map<TopicPartition, Long> remaining = new HashMap<>(ends);
            remaining.values().removeIf(end -> end == 0);
            while (!remaining.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    records++;
                    if (EventCodec.decode(record.key(), record.value()) instanceof EventVerdict.Valid) {
                        valid++;
                    }
                }
                remaining.keySet().removeIf(partition -> consumer.position(partition) >= remaining.get(partition));
                if (recordsWhenWarm == 0 && warmUp > 0 && records >= warmUp) {
                    warmedAt = System.nanoTime();
                    recordsWhenWarm = records;
                }
            }
        }
        long ended = System.nanoTime();
        return new Result(records, valid, Duration.ofNanos(ended - started), recordsWhenWarm, Duration.ofNanos(ended - warmedAt));
    }
}
