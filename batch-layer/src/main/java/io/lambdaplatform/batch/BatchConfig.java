package io.lambdaplatform.batch;

import com.typesafe.config.Config;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.RuleSettings;
import io.lambdaplatform.model.config.ConfigValues;
import io.lambdaplatform.model.config.KafkaSettings;
import io.lambdaplatform.model.config.PlatformMode;
import io.lambdaplatform.model.config.S3Settings;
import io.lambdaplatform.viewstore.CassandraSettings;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * Everything one batch run needs, read once from the loaded configuration and validated.
 *
 * @param kafka              the brokers and the events topic (LogAppendTime timestamps)
 * @param s3                 the object store of the master dataset
 * @param masterPath         Hadoop URI of the master dataset, e.g. {@code s3a://lambda/master}
 * @param ingestBuckets      the speed layer's ingest buckets; cutoffs are bucket starts
 * @param safetyMargin       how far the cutoff stays behind now
 * @param keepVersions       published versions kept for rollback
 * @param magicCommitter     write Parquet to {@code s3a://} with the S3A magic committer
 * @param cassandra          where the views go
 * @param replicationFactor  used when the job creates the keyspace
 * @param viewWrites         bounded, retried writes from the executors
 * @param pauseBeforePublish wait between the last row and the flip (tests)
 * @param leaseTtl           how long the batch lease lives without renewal; renewed every third of it
 * @param acceptLogHoles     archive past records the log deleted before they were archived (recorded as holes)
 *                           instead of failing; meant for one run ({@code --accept-log-holes})
 * @param recompute          whether a run may add the new records to the live version or recomputes in full
 */
public record BatchConfig(
        KafkaSettings kafka,
        S3Settings s3,
        String masterPath,
        IngestBuckets ingestBuckets,
        Duration safetyMargin,
        int keepVersions,
        boolean magicCommitter,
        CassandraSettings cassandra,
        int replicationFactor,
        ViewWriteSettings viewWrites,
        PublishPause pauseBeforePublish,
        Duration leaseTtl,
        boolean acceptLogHoles,
        RecomputePolicy recompute) implements Serializable {

    public static final String SECTION = "lambda.batch";

    public BatchConfig {
        requireNonNull(kafka, "kafka is null");
        requireNonNull(s3, "s3 is null");
        requireNonNull(masterPath, SECTION + ".master-path is null");
        requireNonNull(ingestBuckets, "ingestBuckets is null");
        requireNonNull(cassandra, "cassandra is null");
        requireNonNull(viewWrites, "viewWrites is null");
        masterPath = masterPath.endsWith("/") ? masterPath.substring(0, masterPath.length() - 1) : masterPath;
        try {
            if (new URI(masterPath).getScheme() == null) {
                throw new IllegalArgumentException(SECTION + ".master-path needs a scheme (s3a://, hdfs://, file:/): " + masterPath);
            }
        }
        catch (URISyntaxException e) {
            throw new IllegalArgumentException(SECTION + ".master-path is not a URI: " + masterPath, e);
        }
        ConfigValues.requireNotNegative(safetyMargin, SECTION + ".safety-margin");
        ConfigValues.requireAtLeast(keepVersions, 1, SECTION + ".keep-versions");
        ConfigValues.requireAtLeast(replicationFactor, 1, "lambda.cassandra.replication-factor");
        requireNonNull(pauseBeforePublish, "pauseBeforePublish is null");
        requireNonNull(leaseTtl, SECTION + ".lease-ttl is null");
        requireNonNull(recompute, "recompute is null");
        if (leaseTtl.compareTo(Duration.ofSeconds(3)) < 0) {
            throw new IllegalArgumentException(SECTION + ".lease-ttl must be at least 3s: " + leaseTtl);
        }
    }

    /** The batch layer's settings from a configuration loaded by {@link io.lambdaplatform.model.config.PlatformConfig}. */
    public static BatchConfig from(Config config) {
        RuleSettings rules = RuleSettings.from(config);
        if (!rules.isNone()) {
            // The speed layer of a Lambda-mode platform refuses them too: both layers must judge every record alike.
            throw new IllegalArgumentException(RuleSettings.SECTION + " (" + rules.describe() + ") is not applied by the batch layer yet;"
                    + " configured rules need " + PlatformMode.KEY + " = kappa, which runs no batch layer");
        }
        Config batch = config.getConfig(SECTION);
        S3Settings s3 = S3Settings.from(config);
        String masterPath = ConfigValues.optionalString(batch, "master-path");
        String committer = batch.getString("committer").toLowerCase(Locale.ROOT);
        if (!committer.equals("magic") && !committer.equals("file")) {
            throw new IllegalArgumentException(SECTION + ".committer must be magic or file: " + committer);
        }
        return new BatchConfig(
                KafkaSettings.from(config),
                s3,
                masterPath != null ? masterPath : "s3a://" + s3.bucket() + "/master",
                new IngestBuckets(config.getDuration("lambda.ingest.bucket-width")),
                batch.getDuration("safety-margin"),
                batch.getInt("keep-versions"),
                committer.equals("magic"),
                CassandraSettings.from(config),
                config.getInt("lambda.cassandra.replication-factor"),
                new ViewWriteSettings(
                        batch.getInt("view-writes.max-in-flight"),
                        batch.getInt("view-writes.max-attempts"),
                        batch.getDuration("view-writes.first-backoff"),
                        batch.getInt("view-writes.rows-per-batch")),
                new PublishPause(batch.getDuration("pause-before-publish"), ConfigValues.optionalString(batch, "pause-resume-file")),
                batch.getDuration("lease-ttl"),
                batch.getBoolean("accept-log-holes"),
                RecomputePolicy.of(batch.getString("mode"), batch.getDuration("full-every")));
    }

    public BatchConfig withMasterPath(String newMasterPath) {
        return new BatchConfig(kafka, s3, newMasterPath, ingestBuckets, safetyMargin, keepVersions,
                magicCommitter, cassandra, replicationFactor, viewWrites, pauseBeforePublish, leaseTtl, acceptLogHoles, recompute);
    }

    public BatchConfig withSafetyMargin(Duration newSafetyMargin) {
        return new BatchConfig(kafka, s3, masterPath, ingestBuckets, newSafetyMargin, keepVersions,
                magicCommitter, cassandra, replicationFactor, viewWrites, pauseBeforePublish, leaseTtl, acceptLogHoles, recompute);
    }

    public BatchConfig withKeepVersions(int newKeepVersions) {
        return new BatchConfig(kafka, s3, masterPath, ingestBuckets, safetyMargin, newKeepVersions,
                magicCommitter, cassandra, replicationFactor, viewWrites, pauseBeforePublish, leaseTtl, acceptLogHoles, recompute);
    }

    public BatchConfig withAcceptLogHoles(boolean newAcceptLogHoles) {
        return new BatchConfig(kafka, s3, masterPath, ingestBuckets, safetyMargin, keepVersions,
                magicCommitter, cassandra, replicationFactor, viewWrites, pauseBeforePublish, leaseTtl, newAcceptLogHoles, recompute);
    }

    public BatchConfig withRecompute(RecomputePolicy newRecompute) {
        return new BatchConfig(kafka, s3, masterPath, ingestBuckets, safetyMargin, keepVersions,
                magicCommitter, cassandra, replicationFactor, viewWrites, pauseBeforePublish, leaseTtl, acceptLogHoles, newRecompute);
    }

    public boolean masterOnS3() {
        return masterPath.toLowerCase(Locale.ROOT).startsWith("s3a://");
    }

    /**
     * The Spark settings the job needs on top of what spark-submit gives it: S3A from {@code lambda.s3}
     * and, for an {@code s3a://} master dataset, the magic committer (no rename-based commits on S3); writes of the
     * master dataset that keep a file per ingest date open rather than sort their records by date.
     */
    public Map<String, String> sparkSettings() {
        Map<String, String> settings = new LinkedHashMap<>();
        S3aOptions.of(s3).forEach((key, value) -> settings.put("spark.hadoop." + key, value));
        if (masterOnS3() && magicCommitter) {
            settings.put("spark.hadoop.fs.s3a.committer.name", "magic");
            settings.put("spark.hadoop.fs.s3a.committer.magic.enabled", "true");
            settings.put("spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a",
                    "io.lambdaplatform.batch.internal.EmptyTaskMagicCommitterFactory");
            settings.put("spark.sql.sources.commitProtocolClass", "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol");
            settings.put("spark.sql.parquet.output.committer.class", "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter");
        }
        settings.put("spark.sql.session.timeZone", "UTC");
        // The master dataset's files are partitioned by ingest date, and a range's records span a date or two: each
        // writing task keeps one file per date open instead of sorting all its records by date before writing the
        // first (Spark sorts only when a task meets more dates than that).
        settings.put("spark.sql.optimizer.plannedWrite.enabled", "false");
        settings.put("spark.sql.maxConcurrentOutputFileWriters", "4");
        return settings;
    }
}
