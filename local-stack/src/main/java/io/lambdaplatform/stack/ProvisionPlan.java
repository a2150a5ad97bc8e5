package io.lambdaplatform.stack;

import com.typesafe.config.Config;
import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.viewstore.CassandraSettings;

import static java.util.Objects.requireNonNull;

/**
 * What {@code provision} creates on servers that already run (containers, real clusters): the two topics, the view
 * schema and the bucket, read from the same configuration keys every deployable reads.
 *
 * @param kafkaBootstrapServers      {@code lambda.kafka.bootstrap-servers}
 * @param topics                     the events and dead-letter topics
 * @param cassandra                  {@code lambda.cassandra.*}; the schema goes into its keyspace
 * @param cassandraReplicationFactor {@code lambda.cassandra.replication-factor}, used only when the keyspace is created
 * @param objectStore                {@code lambda.s3.*}; the bucket is created when missing
 */
public record ProvisionPlan(
        String kafkaBootstrapServers,
        TopicLayout topics,
        CassandraSettings cassandra,
        int cassandraReplicationFactor,
        ObjectStore objectStore) {
    public ProvisionPlan {
        requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers is null");
        requireNonNull(topics, "topics is null");
        requireNonNull(cassandra, "cassandra is null");
        requireNonNull(objectStore, "objectStore is null");
        if (kafkaBootstrapServers.isBlank()) {
            throw new IllegalArgumentException("lambda.kafka.bootstrap-servers is blank");
        }
        if (cassandraReplicationFactor < 1) {
            throw new IllegalArgumentException("lambda.cassandra.replication-factor must be at least 1: " + cassandraReplicationFactor);
        }
    }

    /**
     * @param partitions            partitions of both topics
     * @param topicReplicationFactor replicas of both topics
     */
    public static ProvisionPlan from(Config config, int partitions, short topicReplicationFactor) {
        return new ProvisionPlan(
                config.getString("lambda.kafka.bootstrap-servers"),
                new TopicLayout(
                        config.getString("lambda.kafka.events-topic"),
                        config.getString("lambda.kafka.dead-letter-topic"),
                        partitions,
                        topicReplicationFactor),
                CassandraSettings.from(config),
                ConfigValues.positiveInt(config, "lambda.cassandra.replication-factor"),
                ObjectStore.from(config));
    }
}
