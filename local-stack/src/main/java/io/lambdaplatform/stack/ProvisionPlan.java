package io.lambdaplatform.stack;

import com.typesafe.config.Config;
import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.S3Settings;
import io.lambdaplatform.viewstore.CassandraSettings;

import static java.util.Objects.requireNonNull;

/**
 * What {@code provision} creates on servers that already run (containers, real clusters): the two topics, the view
 * schema and the bucket, read from the same configuration keys every deployable reads.
 *
 * @param kafka                      {@code lambda.kafka.*}: where the brokers are and how to connect to them
 * @param topics                     the events and dead-letter topics
 * @param cassandra                  {@code lambda.cassandra.*}; the schema goes into its keyspace
 * @param cassandraReplicationFactor {@code lambda.cassandra.replication-factor}, used only when the keyspace is created
 * @param s3                         {@code lambda.s3.*}; the bucket is created when missing
 */
public record ProvisionPlan(
        KafkaSettings kafka,
        TopicLayout topics,
        CassandraSettings cassandra,
        int cassandraReplicationFactor,
        S3Settings s3) {
    public ProvisionPlan {
        requireNonNull(kafka, "kafka is null");
        requireNonNull(topics, "topics is null");
        requireNonNull(cassandra, "cassandra is null");
        requireNonNull(s3, "s3 is null");
        ConfigValues.requireAtLeast(cassandraReplicationFactor, 1, "lambda.cassandra.replication-factor");
    }

    /**
     * @param partitions            partitions of both topics
     * @param topicReplicationFactor replicas of both topics
     */
    public static ProvisionPlan from(Config config, int partitions, short topicReplicationFactor) {
        KafkaSettings kafka = KafkaSettings.from(config);
        return new ProvisionPlan(
                kafka,
                new TopicLayout(kafka.eventsTopic(), kafka.deadLetterTopic(), partitions, topicReplicationFactor),
                CassandraSettings.from(config),
                config.getInt("lambda.cassandra.replication-factor"),
                S3Settings.from(config));
    }
}
