package io.lambdaplatform.speed.internal;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * {@link SourceLog} through the Kafka {@link Admin} client. The repartition topic's partition count is asked once; the
 * events topic's is asked once, then again at every {@link #refreshSourcePartitions()}, which the application schedules
 * off the stream threads, so that a partition added to the topic is named within that interval.
 * A log start offset is asked at most {@value #ATTEMPTS} times, each call ending after {@value #ATTEMPT_MILLIS} ms: a
 * call for a partition whose cached leader was killed waits for that broker until it ends, and ending drops the cached
 * leader, so the second call asks the cluster who leads now ({@link IdlePartitions} has the details).
 */
public final class AdminSourceLog implements SourceLog {

    private static final Logger LOG = LoggerFactory.getLogger(AdminSourceLog.class);
    private static final int ATTEMPTS = 2;
    private static final int ATTEMPT_MILLIS = 15_000;

    private final Admin admin;
    private final String eventsTopic;
    private final String repartitionTopic;
    private final Duration clockSkew;
    private final Clock clock;
    private volatile int productTasks;
    private volatile SourcePartitions sourcePartitions;
    private volatile boolean refreshFailing;
    private volatile List<String> changelogs = List.of();

    /** @param clockSkew allowance for the broker clock running behind this host's clock */
    public AdminSourceLog(Admin admin, String eventsTopic, String repartitionTopic, Duration clockSkew, Clock clock) {
        this.admin = requireNonNull(admin, "admin is null");
        this.eventsTopic = requireNonNull(eventsTopic, "eventsTopic is null");
        this.repartitionTopic = requireNonNull(repartitionTopic, "repartitionTopic is null");
        this.clockSkew = requireNonNull(clockSkew, "clockSkew is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /**
     * How many partitions the repartition topic has, or is to be created with: {@code configured} when given, else the
     * existing topic's count, else the events topic's. Kafka Streams derives an unset count from the events topic at
     * every rebalance and stops for good when it no longer matches the existing topic, as after partitions were added
     * to the events topic; a count kept from the first start never changes. 0 when neither topic exists yet: Kafka
     * Streams then waits for the events topic as before. {@link #productTasks()} answers with it from then on.
     */
    public int productTasks(int configured) {
        int count = configured > 0 ? configured : existingCount(repartitionTopic).orElseGet(() -> existingCount(eventsTopic).orElse(0));
        // What the topology is built with is what the repartition topic has once Kafka Streams runs: productTasks() need not ask.
        productTasks = count;
        return count;
    }

    /** The topic's partition count, empty when it does not exist. */
    private Optional<Integer> existingCount(String topic) {
        try {
            return Optional.of(partitionCount(topic));
        }
        catch (StreamsException e) {
            if (!unknownTopic(e)) {
                throw e;
            }
            return Optional.empty();
        }
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

    /**
     * Keeps {@code changelogs} (the source tasks' changelog topics, {@code SpeedTopology#sourceChangelogs}) at the events
     * topic's partition count from now on, growing them now if the topic grew before. Kafka Streams requires a changelog
     * partition per task and does not add one: after partitions were added to the events topic, every rebalance would fail
     * on the smaller changelog. Adding partitions to a changelog is safe, as a task writes and restores only the partition
     * of its own number. A rebalance that comes before the growth fails its stream thread, which is replaced and tries again.
     */
    public void keepInStep(List<String> changelogs) {
        this.changelogs = List.copyOf(changelogs);
        try {
            growChangelogs(sourcePartitions().count());
        }
        catch (StreamsException e) {
            if (!unknownTopic(e)) {
                throw e;
            }
            LOG.info("{} does not exist yet: Kafka Streams waits for it", eventsTopic);
        }
    }

    private void growChangelogs(int count) {
        for (String changelog : changelogs) {
            // A store without a changelog, or one Kafka Streams has not created yet (it will, with the right count), has none.
            int partitions = existingCount(changelog).orElse(count);
            if (partitions >= count) {
                continue;
            }
            LOG.info("Adding partitions to {}: {} to {}, as many as {} has", changelog, partitions, count, eventsTopic);
            try {
                admin.createPartitions(Map.of(changelog, NewPartitions.increaseTo(count)), new CreatePartitionsOptions().timeoutMs(ATTEMPT_MILLIS))
                        .all().get(ATTEMPT_MILLIS + 5_000L, TimeUnit.MILLISECONDS);
            }
            catch (ExecutionException | TimeoutException e) {
                throw new StreamsException("Cannot add partitions to " + changelog + ": " + e, e);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamsException("Interrupted adding partitions to " + changelog, e);
            }
        }
    }

    private static boolean unknownTopic(StreamsException e) {
        return e.getCause() instanceof ExecutionException failed && failed.getCause() instanceof UnknownTopicOrPartitionException;
    }

    @Override
    public SourcePartitions sourcePartitions() {
        SourcePartitions known = sourcePartitions;
        return known != null ? known : askSourcePartitions();
    }

    /**
     * Asks the events topic's partition count again. A failure keeps the count seen last, and so its {@code certainUntil}:
     * the watermarks wait at it until Kafka answers again.
     */
    public void refreshSourcePartitions() {
        try {
            askSourcePartitions();
            if (refreshFailing) {
                LOG.info("The partition count of {} is read again", eventsTopic);
                refreshFailing = false;
            }
        }
        catch (StreamsException e) {
            if (!refreshFailing) {
                LOG.warn("Cannot read the partition count of {}, or keep the source changelogs in step with it; progress reports wait at "
                        + "the last count's time until it can: {}", eventsTopic, e.getMessage());
                refreshFailing = true;
            }
        }
    }

    private synchronized SourcePartitions askSourcePartitions() {
        Instant askedAt = clock.instant();
        int count = partitionCount(eventsTopic);
        SourcePartitions known = sourcePartitions;
        if (known != null && count > known.count()) {
            LOG.info("{} has {} partitions now, {} before: product tasks report the new ones as not heard from until their source tasks run",
                    eventsTopic, count, known.count());
            growChangelogs(count);
        }
        // A broker whose metadata lags may still answer the smaller count of before: partitions are never removed.
        Instant certainUntil = askedAt.minus(clockSkew);
        SourcePartitions seen = known == null ? new SourcePartitions(count, certainUntil)
                : new SourcePartitions(Math.max(count, known.count()), certainUntil.isAfter(known.certainUntil()) ? certainUntil : known.certainUntil());
        sourcePartitions = seen;
        return seen;
    }

    private int partitionCount(String topic) {
        try {
            TopicDescription description = admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(ATTEMPT_MILLIS))
                    .allTopicNames().get(ATTEMPT_MILLIS + 5_000L, TimeUnit.MILLISECONDS).get(topic);
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
