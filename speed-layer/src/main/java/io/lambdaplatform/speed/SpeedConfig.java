package io.lambdaplatform.speed;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.speed.internal.CommitPace;
import io.lambdaplatform.viewstore.CassandraSettings;
import io.lambdaplatform.viewstore.SpeedViews;
import io.lambdaplatform.viewstore.ViewSet;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.TreeMap;

import static java.util.Objects.requireNonNull;

/**
 * Everything the speed layer is configured with, read once at start-up from {@code lambda.kafka},
 * {@code lambda.cassandra}, {@code lambda.ingest} and {@code lambda.speed}.
 *
 * @param kafka                     the brokers, the events topic read from and the dead-letter topic
 * @param cassandra                 how to reach the view store
 * @param replicationFactor         of the keyspace, when the speed layer creates it
 * @param ingestBuckets             ingest-time buckets, the same in every layer
 * @param applicationId             Kafka Streams application id (consumer group, changelog prefix)
 * @param stateDir                  local state directory
 * @param stateDirOwned             the state directory was made for this instance and is removed at a clean exit
 * @param streamThreads             Kafka Streams threads
 * @param standbyReplicas           Kafka Streams standby replicas of every task's state
 * @param productTasks              partitions of the repartition topic (product tasks); 0 = as many as the existing
 *                                  repartition topic has, or the events topic when it is first created
 * @param commitInterval            between commits while the records processed are fresh
 * @param catchUpCommitInterval     between commits while a task catches up ({@link CommitPace})
 * @param catchUpAfter              a task whose last record was ingested at least this long ago is catching up
 * @param internalReplicationFactor of changelog topics, -1 for the broker default
 * @param dedupHorizon              duplicates ingested within this horizon of the first copy are dropped
 * @param retention                 TTL of speed rows
 * @param evictionGrace             how long finished ingest buckets stay in the local store
 * @param maxWritesInFlight         Cassandra writes in flight per stream task
 * @param retryBackoff              first wait before retrying failed writes
 * @param maxRetryBackoff           longest wait between retries
 * @param progressInterval          how often watermarks are written, at most
 * @param idleCheckInterval         how often partitions are checked for being fully consumed
 * @param clockSkew                 allowance for the broker clock running behind this host's clock
 * @param deadLetterMaxBytes        dead-lettered key and value together are truncated to this
 * @param createSchema              whether to apply the view-store schema at start-up
 * @param httpHost                  where health and metrics are served
 * @param httpPort                  0 picks a free port
 * @param streamsOverrides          extra Kafka Streams properties, applied last
 * @param mode                      Lambda (speed rows expire once a batch run covers them) or Kappa (they are the answer)
 * @param rules                     rules added to the event contract's ({@code lambda.rules})
 * @param previousViewsKeptFor      Kappa mode: how long a set of views readers left stays for a rollback
 */
public record SpeedConfig(
        KafkaSettings kafka,
        CassandraSettings cassandra,
        int replicationFactor,
        IngestBuckets ingestBuckets,
        String applicationId,
        Path stateDir,
        boolean stateDirOwned,
        int streamThreads,
        int standbyReplicas,
        int productTasks,
        Duration commitInterval,
        Duration catchUpCommitInterval,
        Duration catchUpAfter,
        int internalReplicationFactor,
        Duration dedupHorizon,
        Duration retention,
        Duration evictionGrace,
        int maxWritesInFlight,
        Duration retryBackoff,
        Duration maxRetryBackoff,
        Duration progressInterval,
        Duration idleCheckInterval,
        Duration clockSkew,
        int deadLetterMaxBytes,
        boolean createSchema,
        String httpHost,
        int httpPort,
        Map<String, String> streamsOverrides,
        PlatformMode mode,
        RuleSettings rules,
        Duration previousViewsKeptFor) {

    public static final String SECTION = "lambda.speed";
    public static final String STATE_DIR_IN_STACK = "speed-state";
    /** Each instance started without a state directory gets a fresh one of these under the default home. */
    public static final String INSTANCE_DIR_PREFIX = "instance-";

    public SpeedConfig {
        requireNonNull(kafka, "kafka is null");
        requireNonNull(cassandra, "cassandra is null");
        requireNonNull(ingestBuckets, "ingestBuckets is null");
        ConfigValues.requireNotBlank(applicationId, SECTION + ".application-id");
        requireNonNull(stateDir, "stateDir is null");
        requireNonNull(httpHost, "httpHost is null");
        streamsOverrides = Map.copyOf(requireNonNull(streamsOverrides, "streamsOverrides is null"));
        ConfigValues.requireAtLeast(replicationFactor, 1, "lambda.cassandra.replication-factor");
        ConfigValues.requireAtLeast(streamThreads, 1, SECTION + ".stream-threads");
        ConfigValues.requireAtLeast(standbyReplicas, 0, SECTION + ".standby-replicas");
        ConfigValues.requireAtLeast(productTasks, 0, SECTION + ".product-tasks");
        ConfigValues.requirePositive(commitInterval, SECTION + ".commit-interval");
        if (requireNonNull(catchUpCommitInterval, "catchUpCommitInterval is null").compareTo(commitInterval) < 0) {
            throw new IllegalArgumentException(SECTION + ".catch-up-commit-interval must not be shorter than " + SECTION + ".commit-interval: "
                    + catchUpCommitInterval + " < " + commitInterval);
        }
        if (requireNonNull(catchUpAfter, "catchUpAfter is null").compareTo(catchUpCommitInterval) < 0) {
            throw new IllegalArgumentException(SECTION + ".catch-up-after must not be shorter than " + SECTION + ".catch-up-commit-interval: "
                    + catchUpAfter + " < " + catchUpCommitInterval);
        }
        if (internalReplicationFactor < -1 || internalReplicationFactor == 0) {
            throw new IllegalArgumentException(SECTION + ".internal-replication-factor must be -1 or at least 1: " + internalReplicationFactor);
        }
        ConfigValues.requirePositive(dedupHorizon, SECTION + ".dedup-horizon");
        ConfigValues.requirePositive(retention, SECTION + ".retention");
        if (retention.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException(SECTION + ".retention must be at least a minute: " + retention);
        }
        ConfigValues.requireNotNegative(evictionGrace, SECTION + ".eviction-grace");
        ConfigValues.requireAtLeast(maxWritesInFlight, 1, SECTION + ".max-writes-in-flight");
        ConfigValues.requirePositive(retryBackoff, SECTION + ".retry-backoff");
        ConfigValues.requirePositive(maxRetryBackoff, SECTION + ".max-retry-backoff");
        if (maxRetryBackoff.compareTo(retryBackoff) < 0) {
            throw new IllegalArgumentException(SECTION + ".max-retry-backoff " + maxRetryBackoff + " is shorter than retry-backoff " + retryBackoff);
        }
        ConfigValues.requirePositive(progressInterval, SECTION + ".progress-interval");
        ConfigValues.requirePositive(idleCheckInterval, SECTION + ".idle-check-interval");
        ConfigValues.requireNotNegative(clockSkew, SECTION + ".clock-skew");
        ConfigValues.requireAtLeast(deadLetterMaxBytes, 1024, SECTION + ".dead-letter-max-bytes");
        ConfigValues.requireListenPort(httpPort, SECTION + ".http.port");
        requireNonNull(mode, "mode is null");
        requireNonNull(rules, "rules is null");
        if (mode == PlatformMode.LAMBDA && !rules.isNone()) {
            throw new IllegalArgumentException(RuleSettings.SECTION + " (" + rules.describe() + ") needs " + PlatformMode.KEY
                    + " = kappa: the batch layer does not apply configured rules yet");
        }
        ConfigValues.requireNotNegative(previousViewsKeptFor, "lambda.platform.previous-views-kept-for");
    }

    /**
     * The speed layer's settings in a loaded {@link io.lambdaplatform.model.config.PlatformConfig}.
     *
     * @param stackDir the {@code --stack} directory, or {@code null}; it is the default home of the state directory
     */
    public static SpeedConfig from(Config config, Path stackDir) {
        Config speed = config.getConfig(SECTION);
        String stateDir = ConfigValues.optionalString(speed, "state-dir");
        Path home = stackDir != null ? stackDir.resolve(STATE_DIR_IN_STACK) : Path.of(System.getProperty("java.io.tmpdir"), "lambda-speed-state");
        Path resolvedStateDir = stateDir != null ? Path.of(stateDir) : home.resolve(instanceDirName());
        Map<String, String> overrides = new TreeMap<>();
        for (Map.Entry<String, ConfigValue> entry : speed.getConfig("streams").entrySet()) {
            overrides.put(entry.getKey().replace("\"", ""), String.valueOf(entry.getValue().unwrapped()));
        }
        return new SpeedConfig(
                KafkaSettings.from(config),
                CassandraSettings.from(config),
                config.getInt("lambda.cassandra.replication-factor"),
                new IngestBuckets(config.getDuration("lambda.ingest.bucket-width")),
                speed.getString("application-id"),
                resolvedStateDir,
                stateDir == null,
                speed.getInt("stream-threads"),
                speed.getInt("standby-replicas"),
                speed.getInt("product-tasks"),
                speed.getDuration("commit-interval"),
                speed.getDuration("catch-up-commit-interval"),
                speed.getDuration("catch-up-after"),
                speed.getInt("internal-replication-factor"),
                speed.getDuration("dedup-horizon"),
                speed.getDuration("retention"),
                speed.getDuration("eviction-grace"),
                speed.getInt("max-writes-in-flight"),
                speed.getDuration("retry-backoff"),
                speed.getDuration("max-retry-backoff"),
                speed.getDuration("progress-interval"),
                speed.getDuration("idle-check-interval"),
                speed.getDuration("clock-skew"),
                speed.getInt("dead-letter-max-bytes"),
                speed.getBoolean("create-schema"),
                speed.getString("http.host"),
                speed.getInt("http.port"),
                overrides,
                PlatformMode.from(config),
                RuleSettings.from(config),
                config.getDuration("lambda.platform.previous-views-kept-for"));
    }

    public SpeedConfig withHttpPort(int newHttpPort) {
        return new SpeedConfig(kafka, cassandra, replicationFactor, ingestBuckets,
                applicationId, stateDir, stateDirOwned, streamThreads, standbyReplicas, productTasks, commitInterval, catchUpCommitInterval, catchUpAfter, internalReplicationFactor, dedupHorizon, retention,
                evictionGrace, maxWritesInFlight, retryBackoff, maxRetryBackoff, progressInterval, idleCheckInterval, clockSkew,
                deadLetterMaxBytes, createSchema, httpHost, newHttpPort, streamsOverrides, mode, rules, previousViewsKeptFor);
    }

    /** When the stream threads commit. */
    public CommitPace commitPace() {
        return new CommitPace(commitInterval, catchUpCommitInterval, catchUpAfter);
    }

    public SpeedConfig withProductTasks(int newProductTasks) {
        return new SpeedConfig(kafka, cassandra, replicationFactor, ingestBuckets,
                applicationId, stateDir, stateDirOwned, streamThreads, standbyReplicas, newProductTasks, commitInterval, catchUpCommitInterval, catchUpAfter, internalReplicationFactor, dedupHorizon, retention,
                evictionGrace, maxWritesInFlight, retryBackoff, maxRetryBackoff, progressInterval, idleCheckInterval, clockSkew,
                deadLetterMaxBytes, createSchema, httpHost, httpPort, streamsOverrides, mode, rules, previousViewsKeptFor);
    }

    public SpeedConfig withStateDir(Path newStateDir) {
        return new SpeedConfig(kafka, cassandra, replicationFactor, ingestBuckets,
                applicationId, newStateDir, false, streamThreads, standbyReplicas, productTasks, commitInterval, catchUpCommitInterval, catchUpAfter, internalReplicationFactor, dedupHorizon, retention,
                evictionGrace, maxWritesInFlight, retryBackoff, maxRetryBackoff, progressInterval, idleCheckInterval, clockSkew,
                deadLetterMaxBytes, createSchema, httpHost, httpPort, streamsOverrides, mode, rules, previousViewsKeptFor);
    }

    /** The same settings with one more Kafka Streams property, over any configured one of that name. */
    public SpeedConfig withStreamsOverride(String key, String value) {
        Map<String, String> overrides = new TreeMap<>(streamsOverrides);
        overrides.put(key, value);
        return new SpeedConfig(kafka, cassandra, replicationFactor, ingestBuckets,
                applicationId, stateDir, stateDirOwned, streamThreads, standbyReplicas, productTasks, commitInterval, catchUpCommitInterval, catchUpAfter, internalReplicationFactor, dedupHorizon, retention,
                evictionGrace, maxWritesInFlight, retryBackoff, maxRetryBackoff, progressInterval, idleCheckInterval, clockSkew,
                deadLetterMaxBytes, createSchema, httpHost, httpPort, Map.copyOf(overrides), mode, rules, previousViewsKeptFor);
    }

    /**
     * The settings of the process that builds a Kappa-mode set of views: its keyspace, its Kafka Streams application
     * (consumer group, internal topics), its dead-letter topic and the rules it was begun with; rows that never expire.
     * Set 0 keeps this configuration's names. The keyspace of a later set is created by the replay that begins it
     * ({@link io.lambdaplatform.viewstore.ViewSchema#createViewSet}), so a process building it applies no schema.
     */
    public SpeedConfig forViewSet(ViewSet set) {
        if (mode != PlatformMode.KAPPA) {
            throw new IllegalStateException("View sets are a Kappa-mode feature; " + PlatformMode.KEY + " is " + mode.label());
        }
        return new SpeedConfig(kafka.withTopics(kafka.eventsTopic(), ViewSet.deadLetterTopicOf(kafka.deadLetterTopic(), set.id())),
                cassandra.withKeyspace(set.keyspace()), replicationFactor, ingestBuckets, ViewSet.applicationIdOf(applicationId, set.id()),
                stateDir, stateDirOwned, streamThreads, standbyReplicas, productTasks, commitInterval, catchUpCommitInterval, catchUpAfter, internalReplicationFactor, dedupHorizon,
                SpeedViews.KEPT_FOREVER, evictionGrace, maxWritesInFlight, retryBackoff, maxRetryBackoff, progressInterval, idleCheckInterval,
                clockSkew, deadLetterMaxBytes, createSchema && set.id() == 0, httpHost, httpPort, streamsOverrides, mode, set.rules(),
                previousViewsKeptFor);
    }

    /** Without the values of the pass-through properties, which may hold credentials. */
    @Override
    public String toString() {
        return "SpeedConfig[kafka=" + kafka + ", cassandra=" + cassandra + ", ingestBuckets=" + ingestBuckets.width() + ", applicationId=" + applicationId
                + ", stateDir=" + stateDir + ", streamThreads=" + streamThreads + ", standbyReplicas=" + standbyReplicas + ", productTasks=" + productTasks
                + ", dedupHorizon=" + dedupHorizon
                + ", retention=" + retention + ", http=" + httpHost + ":" + httpPort + ", streamsOverrides=" + new TreeSet<>(streamsOverrides.keySet())
                + ", mode=" + mode.label() + (rules.isNone() ? "" : ", rules=" + rules.describe()) + "]";
    }

    /** Unique per process and start: two instances on one machine never share state directories. */
    private static String instanceDirName() {
        return INSTANCE_DIR_PREFIX + ProcessHandle.current().pid() + "-" + Long.toString(System.nanoTime() & 0xffffffL, 36);
    }
}
