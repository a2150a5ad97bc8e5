package io.lambdaplatform.batch;

import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.BatchLease;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.InMemoryBatchViews;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.StoredPartition;
import io.lambdaplatform.viewstore.ViewPartition;
import io.lambdaplatform.viewstore.ViewRow;
import io.lambdaplatform.viewstore.ViewStoreException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static io.lambdaplatform.batch.MasterRecords.event;
import static io.lambdaplatform.batch.RecomputeStageTest.exact;
import static io.lambdaplatform.batch.RecomputeStageTest.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Runs whose archive step has nothing to read (the master dataset already reaches the cutoff), so they
 * need no Kafka: versions, idempotence, retention, a failing write and rollback.
 */
class BatchRunTest {

    private static final Instant DAY = Instant.parse("2020-01-01T00:00:00Z");

    private final SparkSession spark = TestSpark.session();
    private Path dir;
    private BatchConfig config;

    @BeforeEach
    void setUp(@TempDir Path tempDir) {
        dir = tempDir;
        config = TestConfigs.local(dir.resolve("master")).withKeepVersions(2);
        new MasterRecords()
                .add(event("a", "p1", "1.25", 10, "2026-11-24T09:00:00Z"), "2026-11-24T09:00:01Z", 0, 0)
                .writeRange(spark, config.masterPath(), "1970-01-01T00:00:00Z", "2026-11-24T10:00:00Z");
    }

    @Test
    void aRerunWithTheSameCutoffPublishesNothing() {
        SharedBatchViews factory = SharedBatchViews.fresh("idempotent-" + dir.getFileName());

        BatchRunSummary first = BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z"));
        BatchRunSummary second = BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:50Z"));

        assertThat(first.cutoff()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(first.archive()).isEmpty();
        assertThat(first.published()).isTrue();
        assertThat(second.published()).isFalse();
        assertThat(second.live()).isEqualTo(first.live());
        assertThat(factory.open().versions()).extracting(BatchVersion::version).containsExactly(1L);
        assertThat(second.describe()).contains("version 1 already covers this cutoff; nothing to do");
    }

    @Test
    void theArchiveStepAloneChoosesTheCutoffAndPublishesNoVersion() {
        SharedBatchViews factory = SharedBatchViews.fresh("archive-only-" + dir.getFileName());

        BatchRun.Archived archived = BatchRun.archive(spark, config, factory.open(), FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z"),
                () -> {});

        assertThat(archived.cutoff()).isEqualTo(Instant.parse("2026-11-24T10:00:00Z"));
        assertThat(archived.archive()).isEmpty();
        assertThat(factory.open().current()).isEmpty();
        assertThat(factory.open().versions()).isEmpty();
        assertThat(BatchRunSummary.describeArchive(archived.archive(), archived.removedRanges()))
                .isEqualTo("  archive:   nothing new below the cutoff\n");
    }

    @Test
    void aMasterDatasetWithNothingBelowTheCutoffPublishesAnEmptyVersion() throws IOException {
        BatchConfig empty = TestConfigs.local(dir.resolve("empty-master")).withKeepVersions(2);
        new MasterRecords().writeRange(spark, empty.masterPath(), "1970-01-01T00:00:00Z", "2026-11-24T10:00:00Z");
        // As S3A's committer leaves an empty range: no data file at all, so Spark reads no partition.
        try (Stream<Path> files = Files.walk(dir.resolve("empty-master"))) {
            for (Path file : files.filter(path -> path.toString().endsWith(".parquet")).toList()) {
                Files.delete(file);
            }
        }
        SharedBatchViews factory = SharedBatchViews.fresh("empty-" + dir.getFileName());

        BatchRunSummary run = BatchRun.run(spark, empty, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z"));

        assertThat(run.published()).isTrue();
        assertThat(run.live().version()).isEqualTo(1);
        assertThat(factory.open().read(1, "p1", Granularity.ONE_HOUR, DAY, DAY.plusSeconds(3650L * 86400))).isEmpty();
    }

    @Test
    void aLaterCutoffPublishesTheNextVersionAndOldVersionsBeyondTheRetentionGo() {
        SharedBatchViews factory = SharedBatchViews.fresh("versions-" + dir.getFileName());
        BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z"));
        new MasterRecords()
                .add(event("b", "p1", "2.50", 20, "2026-11-24T09:01:00Z"), "2026-11-24T10:30:00Z", 0, 1)
                .writeRange(spark, config.masterPath(), "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
        BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T11:02:10Z"));
        new MasterRecords()
                .add(event("a", "p1", "7.00", 70, "2026-11-24T09:00:00Z"), "2026-11-24T11:10:00Z", 0, 2)
                .writeRange(spark, config.masterPath(), "2026-11-24T11:00:00Z", "2026-11-24T12:00:00Z");

        BatchRunSummary third = BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T12:02:10Z"));

        BatchViews views = factory.open();
        assertThat(third.live().version()).isEqualTo(3);
        assertThat(third.recompute().orElseThrow().duplicatesDropped()).isEqualTo(1);
        assertThat(views.versions()).extracting(BatchVersion::version).containsExactly(3L, 2L);
        assertThat(exact(views.read(3, "p1", Granularity.ONE_HOUR, DAY, DAY.plusSeconds(3650L * 86400)))).containsExactly(
                row("p1", Granularity.ONE_HOUR, "2026-11-24T09:00:00Z", 2, "3.75", 30));
        assertThat(views.rollback()).map(BatchVersion::version).contains(2L);
        assertThat(exact(views.read(2, "p1", Granularity.ONE_HOUR, DAY, DAY.plusSeconds(3650L * 86400)))).containsExactly(
                row("p1", Granularity.ONE_HOUR, "2026-11-24T09:00:00Z", 2, "3.75", 30));
    }

    @Test
    void aRunWhileAnotherHoldsTheLeaseFailsNamingTheHolderAndWritesNothing() {
        InMemoryBatchViews store = new InMemoryBatchViews();
        SharedBatchViews factory = SharedBatchViews.wrapping("leased-" + dir.getFileName(), store);
        store.takeLease("other-host/pid 4242/0a1b2c3d", Instant.parse("2026-11-24T10:01:00Z"), Duration.ofSeconds(60));

        assertThatThrownBy(() -> BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:01:30Z")))
                .isInstanceOf(io.lambdaplatform.viewstore.BatchLeaseHeldException.class)
                .hasMessage("another batch run holds the lease: other-host/pid 4242/0a1b2c3d since 2026-11-24T10:01:00Z");
        assertThat(store.versions()).isEmpty();

        // Its holder stopped renewing it at 10:01:00; a minute later it is gone.
        BatchRunSummary afterExpiry = BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z"));
        assertThat(afterExpiry.live().version()).isEqualTo(1);
    }

    @Test
    void aRunThatFailsWhileWritingRowsLeavesThePreviousVersionLive() {
        InMemoryBatchViews store = new InMemoryBatchViews();
        SharedBatchViews healthy = SharedBatchViews.wrapping("healthy-" + dir.getFileName(), store);
        BatchVersion v1 = BatchRun.run(spark, config, healthy, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z")).live();
        new MasterRecords()
                .add(event("c", "p2", "4.00", 40, "2026-11-24T10:40:00Z"), "2026-11-24T10:40:00Z", 1, 0)
                .writeRange(spark, config.masterPath(), "2026-11-24T10:00:00Z", "2026-11-24T11:00:00Z");
        SharedBatchViews failing = SharedBatchViews.wrapping("failing-" + dir.getFileName(), new FailingWrites(store, 1));

        assertThatThrownBy(() -> BatchRun.run(spark, config, failing, FixedIngestLog.brokersAhead(), at("2026-11-24T11:02:10Z")))
                .hasStackTraceContaining("Cassandra went away after 1 row(s)");

        assertThat(store.current()).contains(v1);
        assertThat(store.versions()).extracting(BatchVersion::version, BatchVersion::isPublished)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, false), org.assertj.core.groups.Tuple.tuple(1L, true));
        assertThat(exact(store.read(1, "p1", Granularity.ONE_DAY, DAY, DAY.plusSeconds(3650L * 86400)))).containsExactly(
                row("p1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", 1, "1.25", 10));

        BatchRunSummary retried = BatchRun.run(spark, config, healthy, FixedIngestLog.brokersAhead(), at("2026-11-24T11:02:40Z"));
        assertThat(retried.live().version()).isEqualTo(3);
        assertThat(retried.live().eventCount()).isEqualTo(2);
        assertThat(store.versions()).extracting(BatchVersion::version).containsExactly(3L, 1L);
    }

    @Test
    void rangeDirectoriesWithoutAManifestEntryAreRemovedAndNeverRead() throws Exception {
        Path orphan = dir.resolve("master/events/range=kafka_crashed/ingest_date=2026-11-24");
        Files.createDirectories(orphan);
        Files.writeString(orphan.resolve("part-0.parquet"), "not parquet at all");
        SharedBatchViews factory = SharedBatchViews.fresh("orphans-" + dir.getFileName());

        BatchRunSummary summary = BatchRun.run(spark, config, factory, FixedIngestLog.brokersAhead(), at("2026-11-24T10:02:10Z"));

        assertThat(summary.removedRanges()).isEqualTo(1);
        assertThat(Files.exists(dir.resolve("master/events/range=kafka_crashed"))).isFalse();
        assertThat(summary.live().eventCount()).isEqualTo(1);
    }

    private static Clock at(String now) {
        return Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
    }

    /** The store, except that each writer fails after a number of rows, as if Cassandra went away. */
    private record FailingWrites(BatchViews store, int rowsBeforeFailure) implements BatchViews {
        @Override
        public BatchViewWriter writer(long version) {
            return failing(store.writer(version));
        }

        @Override
        public BatchViewWriter rowWriter(long version) {
            return failing(store.rowWriter(version));
        }

        private BatchViewWriter failing(BatchViewWriter inner) {
            return new BatchViewWriter() {
                @Override
                public void write(ViewRow row) {
                    if (inner.rowCount() >= rowsBeforeFailure) {
                        throw new ViewStoreException("Cassandra went away after " + rowsBeforeFailure + " row(s)");
                    }
                    inner.write(row);
                }

                @Override
                public long rowCount() {
                    return inner.rowCount();
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        }

        @Override
        public Optional<BatchVersion> current() {
            return store.current();
        }

        @Override
        public List<BatchVersion> versions() {
            return store.versions();
        }

        @Override
        public BatchVersion begin(Instant cutoff, Instant computedAt) {
            return store.begin(cutoff, computedAt);
        }

        @Override
        public BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt, long expectedCurrent) {
            return store.publish(version, viewRows, eventCount, publishedAt, expectedCurrent);
        }

        @Override
        public Optional<BatchVersion> rollback() {
            return store.rollback();
        }

        @Override
        public List<BatchVersion> retainLatest(int keep) {
            return store.retainLatest(keep);
        }

        @Override
        public List<ViewRow> read(long version, String productId, Granularity granularity, Instant from, Instant to) {
            return store.read(version, productId, granularity, from, to);
        }

        @Override
        public List<ViewRow> rows(long version, java.util.Collection<String> productIds) {
            return store.rows(version, productIds);
        }

        @Override
        public void extend(long version, long base, java.util.Set<ViewPartition> touched) {
            store.extend(version, base, touched);
        }

        @Override
        public List<ViewRow> changedOrAt(long version, java.util.Map<ViewPartition, ? extends java.util.Collection<Instant>> windows) {
            return store.changedOrAt(version, windows);
        }

        @Override
        public List<StoredPartition> partitions(long version, String productId, Granularity granularity) {
            return store.partitions(version, productId, granularity);
        }

        @Override
        public List<ViewRow> read(StoredPartition partition, Instant from, Instant to) {
            return store.read(partition, from, to);
        }

        @Override
        public void recordBuild(BatchBuild build) {
            store.recordBuild(build);
        }

        @Override
        public Optional<BatchBuild> build(long version) {
            return store.build(version);
        }

        @Override
        public Set<String> products(long version) {
            return store.products(version);
        }

        @Override
        public BatchLease takeLease(String holder, Instant now, Duration ttl) {
            return store.takeLease(holder, now, ttl);
        }

        @Override
        public boolean renewLease(BatchLease lease, Instant now, Duration ttl) {
            return store.renewLease(lease, now, ttl);
        }

        @Override
        public void releaseLease(BatchLease lease) {
            store.releaseLease(lease);
        }

        @Override
        public void recordHoles(List<IngestHole> holes) {
            store.recordHoles(holes);
        }

        @Override
        public List<IngestHole> holes() {
            return store.holes();
        }
    }
}
