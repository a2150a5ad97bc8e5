package io.lambdaplatform.stack;

import io.lambdaplatform.model.config.KeyspaceName;
import java.nio.file.Path;
import java.time.Duration;

import static java.util.Objects.requireNonNull;

/**
 * How to start a local stack.
 *
 * @param dataDir where the servers keep their data, configuration and logs, and where {@code endpoints.json} goes
 * @param fresh wipe {@code dataDir} before starting; otherwise a restart keeps topics, tables and objects
 * @param partitions the number of partitions of the {@code events} and {@code events.dlq} topics
 * @param keyspace the Cassandra keyspace the view schema is created in
 * @param bucket the S3 bucket of the master dataset
 * @param startTimeout how long each server may take until it accepts clients
 * @param stopTimeout how long each server may take to stop cleanly before it is killed
 * @param cluster start clusters instead of single servers: a 3-node Cassandra ring on 127.0.0.1-3 with the keyspace
 *        at replication factor 3, and 3 Kafka brokers on 127.0.0.1-3 with the topics at replication factor 3 and
 *        {@code min.insync.replicas=2}
 * @param sparkClasspath with {@code cluster}: a file listing Spark's jars ({@code batch-layer/target/launcher-provided.classpath}),
 *        from which a Spark standalone master and two workers are started; null for none
 * @param secure with {@code cluster}: secure the clusters as production runs them: Kafka's client and inter-broker
 *        listeners on SASL_SSL with SCRAM-SHA-512, Cassandra with password authentication and client encryption
 *        required, certificates and passwords generated on the first start (docs/local-stack.md, "Secured cluster stack")
 */
public record StackOptions(
        Path dataDir,
        boolean fresh,
        int partitions,
        String keyspace,
        String bucket,
        Duration startTimeout,
        Duration stopTimeout,
        boolean cluster,
        Path sparkClasspath,
        boolean secure) {
    public static final int DEFAULT_PARTITIONS = 3;
    public static final String DEFAULT_KEYSPACE = "lambda";
    public static final String DEFAULT_BUCKET = "lambda";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Nodes of each cluster of a cluster stack: Cassandra, Kafka. */
    public static final int CLUSTER_SIZE = 3;
    /** Workers of the Spark standalone cluster. */
    public static final int SPARK_WORKERS = 2;

    public StackOptions {
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(keyspace, "keyspace is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(stopTimeout, "stopTimeout is null");
        dataDir = dataDir.toAbsolutePath().normalize();
        sparkClasspath = sparkClasspath == null ? null : sparkClasspath.toAbsolutePath().normalize();
        if (sparkClasspath != null && !cluster) {
            throw new IllegalArgumentException("Spark standalone runs only in a cluster stack; sparkClasspath given without cluster: " + sparkClasspath);
        }
        if (secure && !cluster) {
            throw new IllegalArgumentException("A secured stack is a cluster stack: secure given without cluster");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        KeyspaceName.requireValid(keyspace, "keyspace");
        if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("bucket is not a valid S3 bucket name: " + bucket);
        }
        if (startTimeout.isNegative() || startTimeout.isZero()) {
            throw new IllegalArgumentException("startTimeout must be positive: " + startTimeout);
        }
        if (stopTimeout.isNegative() || stopTimeout.isZero()) {
            throw new IllegalArgumentException("stopTimeout must be positive: " + stopTimeout);
        }
    }

    /** The defaults: keep existing data, single servers, 3 partitions, keyspace and bucket {@code lambda}. */
    public static StackOptions of(Path dataDir) {
        return new StackOptions(dataDir, false, DEFAULT_PARTITIONS, DEFAULT_KEYSPACE, DEFAULT_BUCKET, DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT, false, null, false);
    }

    public StackOptions withFresh(boolean fresh) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    public StackOptions withPartitions(int partitions) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    public StackOptions withKeyspace(String keyspace) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    public StackOptions withBucket(String bucket) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    public StackOptions withStartTimeout(Duration startTimeout) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    public StackOptions withStopTimeout(Duration stopTimeout) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    public StackOptions withCluster(boolean cluster) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    /** A cluster stack that also runs Spark standalone on the jars listed in {@code sparkClasspath}. */
    public StackOptions withSparkClasspath(Path sparkClasspath) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    /** A cluster stack secured as production runs it: SASL_SSL (SCRAM) Kafka, Cassandra with passwords and TLS. */
    public StackOptions withSecure(boolean secure) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout, cluster, sparkClasspath, secure);
    }

    /** The replication factor of the topics and the keyspace: 3 in a cluster, else 1. */
    public int replicationFactor() {
        return cluster ? CLUSTER_SIZE : 1;
    }
}
