package io.lambdaplatform.stack;

import com.datastax.oss.driver.api.core.CqlSession;
import io.lambdaplatform.viewstore.ViewSchema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static java.util.Objects.requireNonNull;

/**
 * Creates what the platform needs on its servers, idempotently: the events topic with
 * {@code message.timestamp.type=LogAppendTime} and the dead-letter topic, the view schema of {@code view-store}, and the
 * bucket of the master dataset. The local stack calls it for its child JVMs, {@code provision} for containers and real
 * clusters, and the integration tests for their containers, so all three get the same topics, tables and bucket.
 */
public final class Provisioning {
    private static final Logger log = LoggerFactory.getLogger(Provisioning.class);

    public static final String LOG_APPEND_TIME = "LogAppendTime";
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);
    private static final Duration RETRY_LOG_INTERVAL = Duration.ofSeconds(10);

    private Provisioning() {}

    /**
     * Creates the topics that are missing (with the layout's {@code min.insync.replicas} when above 1), grows those
     * with fewer partitions (Kafka cannot shrink them), and sets {@code LogAppendTime} on the events topic if it lacks it.
     */
    public static void ensureTopics(Admin admin, TopicLayout layout) {
        requireNonNull(admin, "admin is null");
        requireNonNull(layout, "layout is null");
        Set<String> existing = await(admin.listTopics().names(), "listing topics");
        for (String topic : List.of(layout.eventsTopic(), layout.deadLetterTopic())) {
            if (!existing.contains(topic)) {
                Map<String, String> configs = new TreeMap<>();
                if (topic.equals(layout.eventsTopic())) {
                    configs.put(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME);
                }
                if (layout.minInSyncReplicas() > 1) {
                    configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(layout.minInSyncReplicas()));
                }
                await(admin.createTopics(List.of(new NewTopic(topic, layout.partitions(), layout.replicationFactor()).configs(configs))).all(),
                        "creating topic " + topic);
                log.info("Created topic {} with {} partitions, replication factor {} {}", topic, layout.partitions(), layout.replicationFactor(), configs);
                continue;
            }
            TopicDescription description = await(admin.describeTopics(List.of(topic)).allTopicNames(), "describing topic " + topic).get(topic);
            int current = description.partitions().size();
            if (current < layout.partitions()) {
                await(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(layout.partitions()))).all(), "adding partitions to " + topic);
                log.info("Increased the partitions of topic {} from {} to {}", topic, current, layout.partitions());
            }
            else if (current > layout.partitions()) {
                log.warn("Topic {} keeps its {} partitions; Kafka cannot reduce them to {}", topic, current, layout.partitions());
            }
        }
        ConfigResource events = new ConfigResource(ConfigResource.Type.TOPIC, layout.eventsTopic());
        ConfigEntry timestampType = await(admin.describeConfigs(List.of(events)).all(), "describing topic " + layout.eventsTopic())
                .get(events).get(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG);
        if (timestampType == null || !LOG_APPEND_TIME.equals(timestampType.value())) {
            setTopicConfig(admin, layout.eventsTopic(), TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, LOG_APPEND_TIME);
        }
    }

    /**
     * Keeps every record of {@code topic} ({@code retention.ms=-1}): in Kappa mode the events topic is the only history a
     * replay can read.
     */
    public static void keepEveryRecord(Admin admin, String topic) {
        setTopicConfig(admin, topic, TopicConfig.RETENTION_MS_CONFIG, "-1");
    }

    private static void setTopicConfig(Admin admin, String topic, String key, String value) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        await(admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry(key, value), AlterConfigOp.OpType.SET))))
                .all(), "setting " + key + " on " + topic);
        log.info("Set {}={} on topic {}", key, value, topic);
    }

    /** Creates the bucket, in the client's region, unless it exists. */
    public static void ensureBucket(S3Client s3, String bucket) {
        requireNonNull(s3, "s3 is null");
        requireNonNull(bucket, "bucket is null");
        try {
            s3.headBucket(request -> request.bucket(bucket));
        }
        catch (NoSuchBucketException e) {
            Region region = s3.serviceClientConfiguration().region();
            try {
                // Outside us-east-1, AWS S3 wants the region as the bucket's location constraint.
                s3.createBucket(request -> {
                    request.bucket(bucket);
                    if (region != null && !Region.US_EAST_1.equals(region)) {
                        request.createBucketConfiguration(configuration -> configuration.locationConstraint(region.id()));
                    }
                });
                log.info("Created bucket {}", bucket);
            }
            catch (BucketAlreadyOwnedByYouException raced) {
                log.debug("Bucket {} was created in the meantime", bucket);
            }
        }
    }

    /** Applies the view schema ({@code CREATE ... IF NOT EXISTS}) in the keyspace, creating it with the replication factor. */
    public static void applySchema(CqlSession session, String keyspace, int replicationFactor) {
        requireNonNull(session, "session is null");
        ViewSchema.create(session, keyspace, replicationFactor);
        log.info("View schema applied in keyspace {}", keyspace);
    }

    /**
     * Provisions servers that may still be starting: each step is retried until it succeeds or {@code wait} has passed.
     *
     * @throws ProvisioningException naming the step and the last failure when the time is up
     */
    public static void apply(ProvisionPlan plan, Duration wait) {
        requireNonNull(plan, "plan is null");
        requireNonNull(wait, "wait is null");
        Instant deadline = Instant.now().plus(wait);
        retry("the topics " + plan.topics().eventsTopic() + " and " + plan.topics().deadLetterTopic() + " on " + plan.kafka().bootstrapServers(), deadline, () -> {
            Map<String, Object> settings = plan.kafka().clientProperties();
            settings.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            settings.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) CALL_TIMEOUT.toMillis());
            try (Admin admin = Admin.create(settings)) {
                ensureTopics(admin, plan.topics());
            }
        });
        retry("the view schema in keyspace " + plan.cassandra().keyspace() + " at " + plan.cassandra().contactPoints(), deadline, () -> {
            try (CqlSession session = plan.cassandra().connect()) {
                applySchema(session, plan.cassandra().keyspace(), plan.cassandraReplicationFactor());
            }
        });
        retry("the bucket " + plan.s3().bucket() + " at " + plan.s3().endpoint(), deadline, () -> {
            try (S3Client s3 = S3Connections.open(plan.s3())) {
                ensureBucket(s3, plan.s3().bucket());
            }
        });
    }

    private static void retry(String what, Instant deadline, Runnable attempt) {
        Instant nextLog = Instant.now();
        while (true) {
            try {
                attempt.run();
                return;
            }
            catch (RuntimeException e) {
                if (Instant.now().isAfter(deadline)) {
                    throw new ProvisioningException("Gave up provisioning " + what + ": " + e.getMessage(), e);
                }
                if (!Instant.now().isBefore(nextLog)) {
                    log.info("Provisioning {} failed, retrying until {}: {}", what, deadline, e.toString());
                    nextLog = Instant.now().plus(RETRY_LOG_INTERVAL);
                }
            }
            try {
                Thread.sleep(RETRY_PAUSE.toMillis());
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProvisioningException("Interrupted while provisioning " + what, e);
            }
        }
    }

    private static <T> T await(KafkaFuture<T> future, String what) {
        try {
            return future.get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("Interrupted while " + what, e);
        }
        catch (ExecutionException e) {
            throw new ProvisioningException("Failed " + what + ": " + e.getCause(), e.getCause());
        }
        catch (TimeoutException e) {
            throw new ProvisioningException("Timed out after " + CALL_TIMEOUT.toSeconds() + " s " + what, e);
        }
    }
}
