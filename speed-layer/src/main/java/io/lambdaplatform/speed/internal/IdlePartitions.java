package io.lambdaplatform.speed.internal;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Finds partitions that have nothing left to process, so that their progress advances although no record
 * arrives. At time {@code t} it reads the end offsets of the events topic, then the offsets the application
 * has committed; a partition whose committed offset has reached its end offset has every record that
 * existed at {@code t} processed and sent on to the product tasks in a committed transaction, and any
 * record appended later has an ingest time of at least {@code t}, less the allowed broker clock skew. The
 * partition's source task turns that into a progress marker, which reaches the product tasks after every
 * record it covers.
 *
 * <p>Every call of a check ends with the check, after 10 s, not at the admin client's
 * {@code default.api.timeout.ms} (60 s): the admin client (Kafka 4.x) sends {@code listOffsets} of a partition straight
 * to the leader it cached, and a call for a leader that was killed waits for that broker until its deadline, while
 * every later call for the partition joins it (KAFKA-20673). A call that ends drops the cached leader, so the next
 * check, {@code idle-check-interval} later, asks the cluster who leads the partition now.
 */
public final class IdlePartitions implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(IdlePartitions.class);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final Admin admin;
    private final String topic;
    private final String applicationId;
    private final Duration clockSkew;
    private final CaughtUpPartitions caughtUp;
    private final Clock clock;
    private final int callTimeoutMillis;

    public IdlePartitions(Admin admin, String topic, String applicationId, Duration clockSkew, CaughtUpPartitions caughtUp, Clock clock) {
        this(admin, topic, applicationId, clockSkew, caughtUp, clock, CALL_TIMEOUT);
    }

    IdlePartitions(Admin admin, String topic, String applicationId, Duration clockSkew, CaughtUpPartitions caughtUp, Clock clock,
            Duration callTimeout) {
        this.admin = requireNonNull(admin, "admin is null");
        this.topic = requireNonNull(topic, "topic is null");
        this.applicationId = requireNonNull(applicationId, "applicationId is null");
        this.clockSkew = requireNonNull(clockSkew, "clockSkew is null");
        this.caughtUp = requireNonNull(caughtUp, "caughtUp is null");
        this.clock = requireNonNull(clock, "clock is null");
        this.callTimeoutMillis = Math.toIntExact(callTimeout.toMillis());
    }

    @Override
    public void run() {
        try {
            check();
        }
        catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.warn("Cannot check for idle partitions of {}: {}", topic, e.toString());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void check() throws ExecutionException, InterruptedException, TimeoutException {
        Instant observedAt = clock.instant();
        TopicDescription description = await(admin.describeTopics(List.of(topic), new DescribeTopicsOptions().timeoutMs(callTimeoutMillis))
                .allTopicNames()).get(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        description.partitions().forEach(p -> {
            latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
            earliest.put(new TopicPartition(topic, p.partition()), OffsetSpec.earliest());
        });
        Map<TopicPartition, ListOffsetsResultInfo> ends = await(admin.listOffsets(latest, readCommitted()).all());
        Map<TopicPartition, ListOffsetsResultInfo> starts = await(admin.listOffsets(earliest, readCommitted()).all());
        Map<TopicPartition, OffsetAndMetadata> committed = await(admin.listConsumerGroupOffsets(applicationId,
                new ListConsumerGroupOffsetsOptions().timeoutMs(callTimeoutMillis)).partitionsToOffsetAndMetadata());
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
            OffsetAndMetadata position = committed.get(end.getKey());
            long applied = position != null ? position.offset() : starts.get(end.getKey()).offset();
            if (applied >= end.getValue().offset()) {
                // A partition whose log still starts at offset 0 lost nothing to retention: consumed to
                // its end, it is covered from the beginning of time.
                boolean wholeLog = starts.get(end.getKey()).offset() == 0;
                Instant caughtUpAt = observedAt.minus(clockSkew);
                caughtUp.caughtUp(end.getKey().partition(), caughtUpAt, wholeLog);
            }
        }
    }

    private ListOffsetsOptions readCommitted() {
        return new ListOffsetsOptions(IsolationLevel.READ_COMMITTED).timeoutMs(callTimeoutMillis);
    }

    /** The call's own timeout ends it first; this one only guards against a call that never ends. */
    private <T> T await(KafkaFuture<T> call) throws ExecutionException, InterruptedException, TimeoutException {
        return call.get(callTimeoutMillis + 5_000L, TimeUnit.MILLISECONDS);
    }
}
