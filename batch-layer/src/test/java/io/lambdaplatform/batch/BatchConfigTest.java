package io.lambdaplatform.batch;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.config.SharedKeys;
import io.lambdaplatform.viewstore.CassandraKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertFullMapping;
import static io.lambdaplatform.model.config.ConfigMappingAssertions.assertRecordedDefaults;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchConfigTest {

    private static Config withDefaults(String hocon) {
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void defaults() {
        assertRecordedDefaults(BatchConfig::from, new BatchConfig(SharedKeys.KAFKA_DEFAULTS, SharedKeys.S3_DEFAULTS, "s3a://lambda/master",
                new IngestBuckets(SharedKeys.INGEST_BUCKET_WIDTH_DEFAULT), Duration.ofMinutes(2), 3, true, CassandraKeys.DEFAULTS,
                CassandraKeys.REPLICATION_FACTOR_DEFAULT, new ViewWriteSettings(256, 8, Duration.ofMillis(200), 64), PublishPause.NONE,
                Duration.ofSeconds(60), false, new RecomputePolicy(false, Duration.ofDays(1))));
    }

    @Test
    void everyKeyMaps() {
        Map<String, Object> batch = new HashMap<>();
        batch.put("lambda.batch.master-path", "hdfs://nn/master");
        batch.put("lambda.batch.safety-margin", "5m");
        batch.put("lambda.batch.keep-versions", 5);
        batch.put("lambda.batch.committer", "file");
        batch.put("lambda.batch.view-writes.max-in-flight", 64);
        batch.put("lambda.batch.view-writes.max-attempts", 3);
        batch.put("lambda.batch.view-writes.first-backoff", "1s");
        batch.put("lambda.batch.view-writes.rows-per-batch", 16);
        batch.put("lambda.batch.pause-before-publish", "2s");
        batch.put("lambda.batch.pause-resume-file", "/tmp/resume");
        batch.put("lambda.batch.lease-ttl", "30s");
        batch.put("lambda.batch.accept-log-holes", true);
        batch.put("lambda.batch.mode", "full");
        batch.put("lambda.batch.full-every", "6h");

        assertFullMapping(BatchConfig::from, List.of("lambda.kafka", "lambda.s3", "lambda.cassandra", "lambda.ingest", "lambda.batch"),
                SharedKeys.union(SharedKeys.KAFKA_SET, SharedKeys.S3_SET, CassandraKeys.SET, SharedKeys.INGEST_SET, batch),
                new BatchConfig(SharedKeys.KAFKA_MAPPED, SharedKeys.S3_MAPPED, "hdfs://nn/master",
                        new IngestBuckets(SharedKeys.INGEST_BUCKET_WIDTH_MAPPED), Duration.ofMinutes(5), 5, false, CassandraKeys.MAPPED,
                        CassandraKeys.REPLICATION_FACTOR_MAPPED, new ViewWriteSettings(64, 3, Duration.ofSeconds(1), 16),
                        new PublishPause(Duration.ofSeconds(2), "/tmp/resume"),
                        Duration.ofSeconds(30), true, new RecomputePolicy(true, Duration.ofHours(6))));
    }

    @Test
    void defaultsPutTheMasterDatasetInTheBucketAndUseTheMagicCommitter() {
        BatchConfig config = BatchConfig.from(withDefaults("lambda.s3.bucket = lake"));

        assertThat(config.masterPath()).isEqualTo("s3a://lake/master");
        assertThat(config.safetyMargin()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.keepVersions()).isEqualTo(3);
        assertThat(config.viewWrites()).isEqualTo(new ViewWriteSettings(256, 8, Duration.ofMillis(200), 64));
        assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.acceptLogHoles()).isFalse();
        assertThat(config.sparkSettings())
                .containsEntry("spark.hadoop.fs.s3a.committer.name", "magic")
                .containsEntry("spark.hadoop.fs.s3a.committer.magic.enabled", "true")
                .containsEntry("spark.hadoop.mapreduce.outputcommitter.factory.scheme.s3a",
                        "io.lambdaplatform.batch.internal.EmptyTaskMagicCommitterFactory")
                .containsEntry("spark.sql.sources.commitProtocolClass", "org.apache.spark.internal.io.cloud.PathOutputCommitProtocol")
                .containsEntry("spark.sql.parquet.output.committer.class", "org.apache.spark.internal.io.cloud.BindingParquetOutputCommitter")
                .containsEntry("spark.sql.optimizer.plannedWrite.enabled", "false")
                .containsEntry("spark.sql.maxConcurrentOutputFileWriters", "4")
                .doesNotContainKey("spark.hadoop.fs.s3a.endpoint")
                .doesNotContainKey("spark.hadoop.fs.s3a.access.key");
    }

    @Test
    void theLeaseTtlAndAcceptingLogHolesAreRead() {
        BatchConfig config = BatchConfig.from(withDefaults("lambda.batch { lease-ttl = 15s, accept-log-holes = true }"));

        assertThat(config.leaseTtl()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.acceptLogHoles()).isTrue();
        assertThat(config.withAcceptLogHoles(false).acceptLogHoles()).isFalse();
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.lease-ttl = 1s")))
                .hasMessageContaining("lambda.batch.lease-ttl must be at least 3s");
    }

    @Test
    void anS3CompatibleStoreGetsItsEndpointPathStyleAndStaticCredentials() {
        BatchConfig config = BatchConfig.from(withDefaults("""
                lambda.s3 { endpoint = "http://127.0.0.1:9000", path-style-access = true, access-key = AK, secret-key = SK }
                """));

        assertThat(config.sparkSettings())
                .containsEntry("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000")
                .containsEntry("spark.hadoop.fs.s3a.connection.ssl.enabled", "false")
                .containsEntry("spark.hadoop.fs.s3a.path.style.access", "true")
                .containsEntry("spark.hadoop.fs.s3a.aws.credentials.provider", "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider")
                .containsEntry("spark.hadoop.fs.s3a.access.key", "AK")
                .containsEntry("spark.hadoop.fs.s3a.secret.key", "SK");
        assertThat(config.s3().toString()).doesNotContain("SK").contains("static ****");
    }

    @Test
    void aLocalMasterDatasetUsesNoS3ACommitter() {
        BatchConfig config = BatchConfig.from(withDefaults("lambda.batch.master-path = \"file:/data/master/\""));

        assertThat(config.masterPath()).isEqualTo("file:/data/master");
        assertThat(config.sparkSettings()).doesNotContainKey("spark.sql.sources.commitProtocolClass");
    }

    @Test
    void rejectsInvalidSettingsWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.rules.max-duration = 2h")))
                .hasMessageContaining("lambda.rules (max-duration=7200000ms) is not applied by the batch layer yet");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.committer = rename")))
                .hasMessageContaining("lambda.batch.committer must be magic or file: rename");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.keep-versions = 0")))
                .hasMessageContaining("lambda.batch.keep-versions must be at least 1: 0");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.view-writes.max-attempts = 0")))
                .hasMessageContaining("lambda.batch.view-writes.max-attempts must be at least 1: 0");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.master-path = \"/no/scheme\"")))
                .hasMessageContaining("lambda.batch.master-path needs a scheme");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.s3.access-key = AK")))
                .hasMessageContaining("lambda.s3.access-key and lambda.s3.secret-key go together");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.mode = partial")))
                .hasMessageContaining("lambda.batch.mode must be incremental or full: partial");
        assertThatThrownBy(() -> BatchConfig.from(withDefaults("lambda.batch.full-every = -1h")))
                .hasMessageContaining("lambda.batch.full-every must not be negative");
    }

    @Test
    void theCutoffIsABucketStartAtLeastTheMarginBehindNowAndNeverMovesBack() {
        io.lambdaplatform.model.IngestBuckets minutes = new io.lambdaplatform.model.IngestBuckets(Duration.ofMinutes(1));
        Instant now = Instant.parse("2026-11-24T10:07:42.5Z");
        Optional<Instant> brokersAhead = Optional.of(now.plusSeconds(3600));

        assertThat(IngestCutoff.choose(now, brokersAhead, Duration.ofMinutes(2), minutes, Instant.EPOCH)).isEqualTo(Instant.parse("2026-11-24T10:05:00Z"));
        assertThat(IngestCutoff.choose(now, brokersAhead, Duration.ZERO, minutes, Instant.EPOCH)).isEqualTo(Instant.parse("2026-11-24T10:07:00Z"));
        assertThat(IngestCutoff.choose(now, brokersAhead, Duration.ofMinutes(2), minutes, Instant.parse("2026-11-24T10:06:00Z")))
                .isEqualTo(Instant.parse("2026-11-24T10:06:00Z"));
    }

    @Test
    void theCutoffFollowsTheBrokersClockWhenItIsBehindTheDriversAndStaysWhenTheTopicIsEmpty() {
        io.lambdaplatform.model.IngestBuckets minutes = new io.lambdaplatform.model.IngestBuckets(Duration.ofMinutes(1));
        Instant driver = Instant.parse("2026-11-24T10:07:42.5Z");
        Instant brokers = Instant.parse("2026-11-24T09:30:10Z");

        assertThat(IngestCutoff.choose(driver, Optional.of(brokers), Duration.ofMinutes(2), minutes, Instant.EPOCH))
                .isEqualTo(Instant.parse("2026-11-24T09:28:00Z"));
        assertThat(IngestCutoff.choose(driver, Optional.of(brokers), Duration.ofMinutes(2), minutes, Instant.parse("2026-11-24T09:29:00Z")))
                .isEqualTo(Instant.parse("2026-11-24T09:29:00Z"));
        assertThat(IngestCutoff.choose(driver, Optional.empty(), Duration.ofMinutes(2), minutes, Instant.parse("2026-11-24T08:00:00Z")))
                .isEqualTo(Instant.parse("2026-11-24T08:00:00Z"));
    }

    @Test
    void anIngestRangeIsNamedByItsBoundsInUtc() {
        IngestRange range = new IngestRange(Instant.parse("2026-11-24T10:15:00Z"), Instant.parse("2026-11-24T10:30:00.250Z"));

        assertThat(range.id()).isEqualTo("kafka_20261124T101500.000Z_20261124T103000.250Z");
        assertThat(new IngestRange(Instant.EPOCH, Instant.EPOCH).isEmpty()).isTrue();
        assertThatThrownBy(() -> new IngestRange(Instant.EPOCH.plusSeconds(1), Instant.EPOCH))
                .hasMessageContaining("Ingest range ends before it starts");
    }
}
