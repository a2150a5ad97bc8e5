package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.IngestClock;
import io.lambdaplatform.batch.internal.TopicCheck;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.CollectionAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * Appends the records of the events topic that the master dataset lacks and whose ingest time is below the cutoff.
 *
 * <p>It reads each partition by exact offsets, from where the master dataset ends ({@link ArchivePlan}) to the log
 * end the brokers reported, or only up to the first record stamped at or past the cutoff, and gives every record its
 * ingest time {@code ingest_eff}: the running maximum of
 * LogAppendTime over the partition, continued from the last archived record ({@link IngestClock}, in the same pass
 * that reads the records: nothing is shuffled). That is monotone in the offset, so the records below the cutoff are a
 * prefix of each partition, and the next range continues at the first offset not archived, even when a broker's clock
 * stepped back. One Spark job writes the range; where each partition ends comes from that job, not from reading the
 * files back. Every record is kept raw, valid or not, and judged once, in the same pass that gives it its ingest
 * time: its verdict and decoded fields are stored beside the raw bytes, and the range's manifest entry records the
 * rules' version, so that a recompute reads typed columns and a change of rules judges the raw bytes again.
 */
public final class ArchiveStage {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveStage.class);

    private ArchiveStage() {}

    /**
     * Archives the plan's records with ingest time below {@code range.to()} as one range, and records in its manifest
     * entry where each partition ends and the holes the plan crosses.
     */
    public static ArchiveResult run(SparkSession spark, BatchConfig config, IngestRange range, ArchivePlan plan, IngestLog log,
            Clock clock) {
        TopicCheck.requireLogAppendTime(config.kafka());
        // No record past the first one stamped at or past the cutoff is archived now: read up to it, not to the log end.
        ArchivePlan reading = plan.endingAt(log.firstOffsetsAtOrAfter(range.to()));
        try {
            return archive(spark, config, range, plan, reading, read(spark, config, reading), log, clock);
        }
        catch (ReadEndedEarly e) {
            LOG.warn("{}; reading every partition to its log end instead", e.getMessage());
            return archive(spark, config, range, plan, plan, read(spark, config, plan), log, clock);
        }
    }

    /**
     * {@link #run} on records already read: the plan's offsets of each partition, in the columns of Spark's Kafka
     * source ({@code key}, {@code value}, {@code timestamp}, {@code partition}, {@code offset}) and laid out as it reads
     * them, one Spark partition per topic partition in offset order.
     *
     * @throws IllegalStateException before anything is recorded in the manifest, when the records are not laid out so
     */
    public static ArchiveResult archive(SparkSession spark, BatchConfig config, IngestRange range, ArchivePlan plan,
            Dataset<Row> kafkaRecords, IngestLog log, Clock clock) {
        return archive(spark, config, range, plan, plan, kafkaRecords, log, clock);
    }

    /**
     * A read that ended before the log end without reading a record at or past the cutoff: the record where it ended was
     * not read (a transaction marker), so a later record stamped below the cutoff by a broker clock that stepped back
     * would be lost. Thrown before the manifest entry is written.
     */
    static final class ReadEndedEarly extends RuntimeException {
        ReadEndedEarly(String message) {
            super(message);
        }
    }

    /**
     * {@link #archive}, of the records of {@code reading}: {@code plan}'s reads, some ended before the log end.
     *
     * @throws ReadEndedEarly when such a read did not reach the cutoff; nothing is recorded in the manifest then
     */
    static ArchiveResult archive(SparkSession spark, BatchConfig config, IngestRange range, ArchivePlan plan, ArchivePlan reading,
            Dataset<Row> kafkaRecords, IngestLog log, Clock clock) {
        Instant started = clock.instant();
        LOG.info("Archiving {} records with ingest time below {} from offsets {}", config.kafka().eventsTopic(), range.to(), reading.reads());
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        Map<Integer, Long> seeds = plan.reads().stream()
                .collect(Collectors.toMap(ArchivePlan.Read::partition, read -> read.lastIngest().toEpochMilli()));
        String id = range.id();
        CollectionAccumulator<IngestClock.End> accumulator = spark.sparkContext().collectionAccumulator("ends of range " + id);
        long count = master.writeJudgedFiles(id, withIngestTime(kafkaRecords, seeds, range.to(), accumulator));

        Map<Integer, IngestClock.End> ends = IngestClock.ends(accumulator);
        long ended = ends.values().stream().mapToLong(IngestClock.End::records).sum();
        if (ended != count) {
            throw new IllegalStateException("Range " + id + ": " + count + " records written, but the partitions' ends count " + ended);
        }
        for (int i = 0; i < reading.reads().size(); i++) {
            ArchivePlan.Read read = reading.reads().get(i);
            IngestClock.End end = ends.get(read.partition());
            if (read.untilOffset() < plan.reads().get(i).untilOffset() && (end == null || !end.reachedCutoff())) {
                throw new ReadEndedEarly("Range " + id + ": partition " + read.partition() + " was read up to offset " + read.untilOffset()
                        + ", the first stamped at or past the cutoff, but no record read was at or past it");
            }
        }
        List<PartitionOffsets> offsets = new ArrayList<>();
        List<IngestHole> holes = new ArrayList<>();
        for (ArchivePlan.Read read : plan.reads()) {
            IngestClock.End end = ends.get(read.partition());
            offsets.add(end == null || end.records() == 0
                    ? new PartitionOffsets(read.partition(), read.fromOffset(), read.fromOffset(), read.lastIngest())
                    : new PartitionOffsets(read.partition(), read.fromOffset(), end.lastOffset() + 1, Instant.ofEpochMilli(end.lastIngestMillis())));
            if (read.crossesHole()) {
                holes.add(hole(read, log, range.to()));
            }
        }
        ArchivedRange archived = new ArchivedRange(id, ArchivedRange.Source.KAFKA, range.from(), range.to(), count, clock.instant(),
                config.kafka().eventsTopic(), offsets, holes, true, EventRules.VERSION, true);
        master.commit(archived);
        holes.forEach(hole -> LOG.warn("Accepted hole in partition {}: offsets [{}, {}) deleted before they were archived, "
                + "ingest time {} .. {}", hole.partition(), hole.fromOffset(), hole.toOffset(), hole.fromIngest(), hole.toIngest()));
        return new ArchiveResult(range, archived, Duration.between(started, clock.instant()));
    }

    /**
     * The records the plan names, as Spark's Kafka source gives them: {@code key}, {@code value}, {@code timestamp},
     * {@code partition}, {@code offset}.
     */
    public static Dataset<Row> read(SparkSession spark, BatchConfig config, ArchivePlan plan) {
        String topic = plan.topic();
        String partitions = plan.reads().stream().map(read -> Integer.toString(read.partition())).collect(Collectors.joining(","));
        String starting = plan.reads().stream().map(read -> "\"" + read.partition() + "\":" + read.fromOffset())
                .collect(Collectors.joining(","));
        String ending = plan.reads().stream().map(read -> "\"" + read.partition() + "\":" + read.untilOffset())
                .collect(Collectors.joining(","));
        Map<String, String> kafkaOptions = new HashMap<>();
        // Spark's Kafka source passes options prefixed kafka. to its consumers: the address and any security settings.
        config.kafka().clientProperties().forEach((name, value) -> kafkaOptions.put("kafka." + name, String.valueOf(value)));
        return spark.read()
                .format("kafka")
                .options(kafkaOptions)
                .option("assign", "{\"" + topic + "\":[" + partitions + "]}")
                .option("startingOffsets", "{\"" + topic + "\":{" + starting + "}}")
                .option("endingOffsets", "{\"" + topic + "\":{" + ending + "}}")
                .option("includeHeaders", "false")
                .load()
                .select(col("key"), col("value"), col("timestamp"), col("partition"), col("offset"));
    }

    /**
     * Kafka records ({@code key}, {@code value}, {@code timestamp}, {@code partition}, {@code offset}; one Spark
     * partition per topic partition, in offset order, as Spark's Kafka source reads them) with ingest time below the
     * cutoff, judged, in the columns of {@link IngestClock#OUTPUT} ({@link MasterDataset#EFF_SCHEMA} and the verdict):
     * {@code ingest_eff} is the running maximum of {@code timestamp} over the partition by offset, starting from the
     * partition's seed (the ingest time of its last archived record). The records kept are a prefix of each partition;
     * where each ends goes to {@code ends}.
     */
    static Dataset<Row> withIngestTime(Dataset<Row> kafka, Map<Integer, Long> seeds, Instant cutoff,
            CollectionAccumulator<IngestClock.End> ends) {
        return kafka.select(col("key"), col("value"), col("timestamp"), col("partition"), col("offset"))
                .mapPartitions(new IngestClock(seeds, cutoff.toEpochMilli(), ends), Encoders.row(IngestClock.OUTPUT));
    }

    /**
     * The hole a read crosses: its ingest times run from the last archived record's to the first record after
     * the hole (the running maximum, as that record's ingest time); with no record after the hole, to the cutoff.
     */
    private static IngestHole hole(ArchivePlan.Read read, IngestLog log, Instant cutoff) {
        Instant from = read.lastIngest();
        Optional<Instant> after = log.appendTimeAt(read.partition(), read.fromOffset());
        Instant to = after.orElse(cutoff);
        return new IngestHole("batch", read.partition(), read.expectedOffset(), read.fromOffset(), from, to.isBefore(from) ? from : to);
    }
}
