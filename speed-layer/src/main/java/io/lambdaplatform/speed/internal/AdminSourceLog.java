package io.lambdaplatform.speed.internal;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.StreamsException;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * {@link SourceLog} through the Kafka {@link Admin} client. The repartition topic's partition count is asked once.
 * A log start offset is asked at most {@value #ATTEMPTS} times, each call ending after {@value #ATTEMPT_MILLIS} ms: a
 * call for a partition whose cached leader was killed waits for that broker until it ends, and ending drops the cached
 * leader, so the second call asks the cluster who leads now ({@link IdlePartitions} has the details).
 */
public final class AdminSourceLog implements SourceLog {

    private static final long TIMEOUT_SECONDS = 30;
    private static final int ATTEMPTS = 2;
    private static final int ATTEMPT_MILLIS = 15_000;

    private final Admin admin;
    private final String eventsTopic;
    private final String repartitionTopic;
    private volatile int productTasks;
    private volatile int sourcePartitions;

    public AdminSourceLog(Admin admin, String eventsTopic, String repartitionTopic) {
        this.admin = requireNonNull(admin, "admin is null");
        this.eventsTopic = requireNonNull(eventsTopic, "eventsTopic is null");
        this.repartitionTopic = requireNonNull(repartitionTopic, "repartitionTopic is null");
    }

    @Override
    public long logStartOffset(int partition) {
        TopicPartition topicPartition = new TopicPartition(eventsTopic, partition);
        for (int attempt = 1; ; attempt++) {
            try {
                return logStart(topicPartition);
            }
            catch (ExecutionException e) {
                if (attempt == ATTEMPTS || !(e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException)) {
                    throw new StreamsException("Cannot read the log start offset of " + topicPartition + ": " + e, e);
                }
            }
            catch (TimeoutException e) {
                throw new StreamsException("Cannot read the log start offset of " + topicPartition + ": " + e, e);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamsException("Interrupted reading the log start offset of " + topicPartition, e);
            }
        }
    }

    private long logStart(TopicPartition topicPartition) throws ExecutionException, InterruptedException, TimeoutException {
        return admin.listOffsets(Map.of(topicPartition, OffsetSpec.earliest()), new ListOffsetsOptions().timeoutMs(ATTEMPT_MILLIS))
                .partitionResult(topicPartition).get(ATTEMPT_MILLIS + 5_000L, TimeUnit.MILLISECONDS).offset();
    }

    @Override
    public int productTasks() {
        int known = productTasks;
        if (known == 0) {
            known = partitionCount(repartitionTopic);
            productTasks = known;
        }
        return known;
    }

    @Override
    public int sourcePartitions() {
        int known = sourcePartitions;
        if (known == 0) {
            known = partitionCount(eventsTopic);
            sourcePartitions = known;
        }
        return known;
    }

    private int partitionCount(String topic) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic);
            return description.partitions().size();
        }
        catch (ExecutionException | TimeoutException e) {
            throw new StreamsException("Cannot read the partition count of " + topic + ": " + e, e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("Interrupted reading the partition count of " + topic, e);
        }
    }
}
