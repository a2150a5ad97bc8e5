package io.lambdaplatform.batch;

import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.lambdaplatform.batch.MasterRecords.event;
import static io.lambdaplatform.batch.RecomputeStageTest.exact;
import static io.lambdaplatform.batch.RecomputeStageTest.row;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A broker's clock steps back: LogAppendTimes go backwards across cutoffs within a partition. Archived by exact
 * offsets with the running maximum as ingest time, nothing is lost, nothing is counted twice, and the first copy
 * of an event is the one the speed layer picks: the minimum by (running maximum, partition, offset).
 */
class IngestOrderTest {

    private static final StructType KAFKA = new StructType()
            .add("key", DataTypes.BinaryType, true)
            .add("value", DataTypes.BinaryType, true)
            .add("timestamp", DataTypes.TimestampType, false)
            .add("partition", DataTypes.IntegerType, false)
            .add("offset", DataTypes.LongType, false);
    private static final Instant FIRST_CUTOFF = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant SECOND_CUTOFF = Instant.parse("2026-11-24T11:00:00Z");
    private static final Instant DAY = Instant.parse("2026-11-24T00:00:00Z");
    /** The log of every record {@link #setUp} appends. */
    private static final Map<Integer, PartitionLog> WHOLE_TOPIC = Map.of(
            0, new PartitionLog(0, 0, 5, Instant.parse("2026-11-24T10:01:00Z")),
            1, new PartitionLog(1, 0, 2, Instant.parse("2026-11-24T10:00:30Z")),
            2, new PartitionLog(2, 0, 2, Instant.parse("2026-11-24T10:00:20Z")));

    private final SparkSession spark = TestSpark.session();
    private final List<Row> topic = new ArrayList<>();
    private BatchConfig config;
    private MasterDataset master;
    private SharedBatchViews factory;

    @BeforeEach
    void setUp(@TempDir Path dir) {
        config = TestConfigs.local(dir.resolve("master"));
        master = MasterDataset.at(spark, config.masterPath());
        factory = SharedBatchViews.fresh("ingest-order-" + dir.getFileName());
        // Partition 0: the broker's clock steps back after offset 1, below the first cutoff.
        append(0, 0, "2026-11-24T09:58:00Z", "e1", "1.00");   // ingest 09:58
        append(0, 1, "2026-11-24T10:01:00Z", "e2", "2.00");   // ingest 10:01
        append(0, 2, "2026-11-24T09:59:00Z", "e3", "3.00");   // raw 09:59, ingest 10:01: not below the first cutoff
        append(0, 3, "2026-11-24T09:59:30Z", "e1", "9.00");   // a later copy of e1
        append(0, 4, "2026-11-24T10:00:10Z", "e6", "60.00");  // raw 10:00:10, ingest 10:01
        // Partition 1: its clock steps back too.
        append(1, 0, "2026-11-24T10:00:30Z", "e4", "4.00");   // ingest 10:00:30
        append(1, 1, "2026-11-24T09:59:50Z", "e5", "5.00");   // raw 09:59:50, ingest 10:00:30
        // Partition 2.
        append(2, 0, "2026-11-24T10:00:20Z", "e6", "6.00");   // ingest 10:00:20: before e6's copy in partition 0 (10:01)
        append(2, 1, "2026-11-24T10:00:05Z", "e4", "40.00");  // raw 10:00:05, ingest 10:00:20: before e4's copy in partition 1
    }

    @Test
    void timestampsGoingBackwardsAcrossACutoffAreArchivedOnceAndOrderedByTheRunningMaximum() {
        Map<Integer, PartitionLog> logs = WHOLE_TOPIC;

        ArchivedRange first = archive(Instant.EPOCH, FIRST_CUTOFF, logs, false);
        long v1 = RecomputeStage.run(spark, config, FIRST_CUTOFF, factory, at("2026-11-24T10:05:00Z")).version().version();
        ArchivedRange second = archive(FIRST_CUTOFF, SECOND_CUTOFF, logs, false);
        long v2 = RecomputeStage.run(spark, config, SECOND_CUTOFF, factory, at("2026-11-24T11:05:00Z")).version().version();

        assertThat(first.records()).isEqualTo(1);
        assertThat(first.offsets()).containsExactly(
                new PartitionOffsets(0, 0, 1, Instant.parse("2026-11-24T09:58:00Z")),
                new PartitionOffsets(1, 0, 0, Instant.EPOCH),
                new PartitionOffsets(2, 0, 0, Instant.EPOCH));
        assertThat(second.records()).isEqualTo(8);
        assertThat(second.offsets()).containsExactly(
                new PartitionOffsets(0, 1, 5, Instant.parse("2026-11-24T10:01:00Z")),
                new PartitionOffsets(1, 0, 2, Instant.parse("2026-11-24T10:00:30Z")),
                new PartitionOffsets(2, 0, 2, Instant.parse("2026-11-24T10:00:20Z")));
        BatchViews views = factory.open();
        // Below the first cutoff only e1 was ingested: e3 and the copy of e1 were stamped below it after the brokers
        // had appended at 10:01, so their ingest time is 10:01 (the speed layer counts them in bucket 10:01).
        assertThat(exact(views.read(v1, "p1", Granularity.ONE_DAY, DAY, SECOND_CUTOFF))).containsExactly(
                row("p1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", 1, "1.00", 1));
        // Every event once; first copies: e1 at 09:58 (1.00), e4 in partition 2 (40.00), e6 in partition 2 (6.00).
        assertThat(exact(views.read(v2, "p1", Granularity.ONE_DAY, DAY, SECOND_CUTOFF))).containsExactly(
                row("p1", Granularity.ONE_DAY, "2026-11-24T00:00:00Z", 6, "57.00", 6));
    }

    @Test
    void aHoleFailsTheRunBeforeAnythingIsWrittenUnlessAcceptedAndThenTheManifestRecordsItsSpan() {
        Map<Integer, PartitionLog> early = Map.of(
                0, new PartitionLog(0, 0, 1, Instant.parse("2026-11-24T09:58:00Z")),
                1, new PartitionLog(1, 0, 0, null),
                2, new PartitionLog(2, 0, 0, null));
        archive(Instant.EPOCH, FIRST_CUTOFF, early, false);
        // Retention deleted offsets 1 to 3 of partition 0 before the next run archived them.
        Map<Integer, PartitionLog> afterRetention = Map.of(
                0, new PartitionLog(0, 4, 5, Instant.parse("2026-11-24T10:01:00Z")),
                1, new PartitionLog(1, 0, 2, Instant.parse("2026-11-24T10:00:30Z")),
                2, new PartitionLog(2, 0, 2, Instant.parse("2026-11-24T10:00:20Z")));

        assertThatThrownBy(() -> archive(FIRST_CUTOFF, SECOND_CUTOFF, afterRetention, false))
                .isInstanceOf(LogHoleException.class)
                .hasMessageContaining("partition 0 offsets [1, 4)")
                .hasMessageContaining("--accept-log-holes");
        assertThat(master.manifest()).hasSize(1);

        ArchivedRange accepted = archive(FIRST_CUTOFF, SECOND_CUTOFF, afterRetention, true);

        assertThat(accepted.holes()).containsExactly(new IngestHole("batch", 0, 1, 4,
                Instant.parse("2026-11-24T09:58:00Z"), Instant.parse("2026-11-24T10:00:10Z")));
        assertThat(accepted.offsets()).first().isEqualTo(new PartitionOffsets(0, 4, 5, Instant.parse("2026-11-24T10:00:10Z")));
        assertThat(master.manifest()).last().extracting(ArchivedRange::holes).isEqualTo(accepted.holes());
        assertThat(accepted.records()).isEqualTo(5);
    }

    @Test
    void readingEachPartitionOnlyUpToItsFirstRecordStampedAtOrPastTheCutoffArchivesWhatReadingToTheLogEndDoes() {
        Map<Integer, PartitionLog> logs = WHOLE_TOPIC;
        // ListOffsets by the first cutoff: partition 0's offset 1 (10:01), then the first record of partitions 1 and 2.
        Map<Integer, Long> firstAtOrPastCutoff = Map.of(0, 1L, 1, 0L, 2, 0L);
        ArchivePlan plan = ArchivePlan.of("events", master.archivedPositions(), logs, false);

        ArchivePlan reading = plan.endingAt(firstAtOrPastCutoff);
        ArchivedRange first = archive(Instant.EPOCH, FIRST_CUTOFF, plan, reading, -1);

        assertThat(reading.reads()).extracting(ArchivePlan.Read::untilOffset).containsExactly(2L, 1L, 1L);
        assertThat(first.records()).isEqualTo(1);
        assertThat(first.offsets()).containsExactly(
                new PartitionOffsets(0, 0, 1, Instant.parse("2026-11-24T09:58:00Z")),
                new PartitionOffsets(1, 0, 0, Instant.EPOCH),
                new PartitionOffsets(2, 0, 0, Instant.EPOCH));
    }

    @Test
    void aReadThatEndedOnARecordItNeverReadIsRefusedBeforeTheManifestSoTheRunReadsToTheLogEnd() {
        Map<Integer, PartitionLog> logs = WHOLE_TOPIC;
        ArchivePlan plan = ArchivePlan.of("events", master.archivedPositions(), logs, false);
        // Offset 1 of partition 0, where ListOffsets pointed, is not read (as a transaction marker would not be): what
        // was read never reached the cutoff, and offsets 2 and 3, stamped below it, might belong below it.
        ArchivePlan reading = plan.endingAt(Map.of(0, 1L));

        assertThatThrownBy(() -> archive(Instant.EPOCH, FIRST_CUTOFF, plan, reading, 1))
                .isInstanceOf(ArchiveStage.ReadEndedEarly.class)
                .hasMessageContaining("partition 0 was read up to offset 2, the first stamped at or past the cutoff");
        assertThat(master.manifest()).isEmpty();
    }

    private ArchivedRange archive(Instant from, Instant to, Map<Integer, PartitionLog> logs, boolean acceptHoles) {
        ArchivePlan plan = ArchivePlan.of("events", master.archivedPositions(), logs, acceptHoles);
        FixedIngestLog log = new FixedIngestLog(logs, Map.of("0@4", Instant.parse("2026-11-24T10:00:10Z")));
        return archive(from, to, plan, plan, -1, log);
    }

    private ArchivedRange archive(Instant from, Instant to, ArchivePlan plan, ArchivePlan reading, long unread) {
        return archive(from, to, plan, reading, unread, new FixedIngestLog(Map.of(), Map.of()));
    }

    /**
     * {@link ArchiveStage#archive} of {@code reading}'s records of the topic (without the one at offset {@code unread} of
     * partition 0), laid out as Spark's Kafka source lays them out: one Spark partition per topic partition, in offset order.
     */
    private ArchivedRange archive(Instant from, Instant to, ArchivePlan plan, ArchivePlan reading, long unread, FixedIngestLog log) {
        Dataset<Row> kafka = spark.createDataFrame(topic, KAFKA).where(col("partition").notEqual(0).or(col("offset").notEqual(unread)));
        Dataset<Row> read = kafka.where(col("partition").lt(-1));
        for (ArchivePlan.Read partition : reading.reads()) {
            read = read.unionAll(kafka.where(col("partition").equalTo(partition.partition())
                    .and(col("offset").geq(partition.fromOffset())).and(col("offset").lt(partition.untilOffset()))).coalesce(1));
        }
        return ArchiveStage.archive(spark, config, new IngestRange(from, to), plan, reading, read, log, at("2026-11-24T12:00:00Z")).archived();
    }

    private void append(int partition, long offset, String appendTime, String eventId, String revenue) {
        String value = EventCodec.encodeToString(event(eventId, "p1", revenue, 1, "2026-11-24T09:00:00Z"));
        topic.add(RowFactory.create("p1".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8),
                Timestamp.from(Instant.parse(appendTime)), partition, offset));
    }

    private static Clock at(String now) {
        return Clock.fixed(Instant.parse(now), ZoneOffset.UTC);
    }
}
