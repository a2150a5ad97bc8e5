package io.lambdaplatform.stack;

import static java.util.Objects.requireNonNull;

/**
 * The platform's two topics as {@link Provisioning} creates them: the events topic with
 * {@code message.timestamp.type=LogAppendTime} (the ingest time the exactness rule rests on) and the dead-letter
 * topic with the default {@code CreateTime}, both with the same number of partitions.
 *
 * @param eventsTopic       {@code lambda.kafka.events-topic}
 * @param deadLetterTopic   {@code lambda.kafka.dead-letter-topic}
 * @param partitions        partitions of each topic; an existing topic with fewer is grown, never shrunk
 * @param replicationFactor replicas of each partition when a topic is created
 * @param minInSyncReplicas {@code min.insync.replicas} of each topic when it is created; 1 leaves the broker's default
 */
public record TopicLayout(String eventsTopic, String deadLetterTopic, int partitions, short replicationFactor, int minInSyncReplicas) {
    public TopicLayout {
        requireNonNull(eventsTopic, "eventsTopic is null");
        requireNonNull(deadLetterTopic, "deadLetterTopic is null");
        if (eventsTopic.isBlank() || deadLetterTopic.isBlank()) {
            throw new IllegalArgumentException("topic names must not be blank: '" + eventsTopic + "', '" + deadLetterTopic + "'");
        }
        if (eventsTopic.equals(deadLetterTopic)) {
            throw new IllegalArgumentException("the events and dead-letter topics must differ: " + eventsTopic);
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (replicationFactor < 1) {
            throw new IllegalArgumentException("replicationFactor must be at least 1: " + replicationFactor);
        }
        if (minInSyncReplicas < 1 || minInSyncReplicas > replicationFactor) {
            throw new IllegalArgumentException("minInSyncReplicas must be in 1.." + replicationFactor + ": " + minInSyncReplicas);
        }
    }

    /** Topics that keep the broker's {@code min.insync.replicas}. */
    public TopicLayout(String eventsTopic, String deadLetterTopic, int partitions, short replicationFactor) {
        this(eventsTopic, deadLetterTopic, partitions, replicationFactor, 1);
    }
}
