package io.lambdaplatform.stack;

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
 */
public record StackOptions(
        Path dataDir,
        boolean fresh,
        int partitions,
        String keyspace,
        String bucket,
        Duration startTimeout,
        Duration stopTimeout) {
    public static final int DEFAULT_PARTITIONS = 3;
    public static final String DEFAULT_KEYSPACE = "lambda";
    public static final String DEFAULT_BUCKET = "lambda";
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofMinutes(3);
    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(30);

    public StackOptions {
        requireNonNull(dataDir, "dataDir is null");
        requireNonNull(keyspace, "keyspace is null");
        requireNonNull(bucket, "bucket is null");
        requireNonNull(startTimeout, "startTimeout is null");
        requireNonNull(stopTimeout, "stopTimeout is null");
        dataDir = dataDir.toAbsolutePath().normalize();
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
        if (!keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
            throw new IllegalArgumentException("keyspace is not a lower-case Cassandra identifier: " + keyspace);
        }
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

    /** The defaults: keep existing data, 3 partitions, keyspace and bucket {@code lambda}. */
    public static StackOptions of(Path dataDir) {
        return new StackOptions(dataDir, false, DEFAULT_PARTITIONS, DEFAULT_KEYSPACE, DEFAULT_BUCKET, DEFAULT_START_TIMEOUT, DEFAULT_STOP_TIMEOUT);
    }

    public StackOptions withFresh(boolean fresh) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout);
    }

    public StackOptions withPartitions(int partitions) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout);
    }

    public StackOptions withKeyspace(String keyspace) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout);
    }

    public StackOptions withBucket(String bucket) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout);
    }

    public StackOptions withStartTimeout(Duration startTimeout) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout);
    }

    public StackOptions withStopTimeout(Duration stopTimeout) {
        return new StackOptions(dataDir, fresh, partitions, keyspace, bucket, startTimeout, stopTimeout);
    }
}
