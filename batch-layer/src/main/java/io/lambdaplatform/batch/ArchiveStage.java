package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.TopicCheck;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
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
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.timestamp_millis;
import static org.apache.spark.sql.functions.unix_millis;

/**
 * Appends the records of the events topic that the master dataset lacks and whose ingest time is below the cutoff.
 *
 * <p>It reads each partition by exact offsets, from where the master dataset ends ({@link ArchivePlan}) to the log
 * end the brokers reported, and gives every record its ingest time {@code ingest_eff}: the running maximum of
 * LogAppendTime over the partition, continued from the last archived record. That is monotone in the offset, so
 * the records below the cutoff are a prefix of each partition, and the next range continues at the first offset
 * not archived, even when a broker's clock stepped back. Every record is kept raw, valid or not, and judged once, here
 * ({@link MasterDataset#writeFiles}): its verdict and decoded fields are stored beside the raw bytes, and the range's
 * manifest entry records the rules' version, so that a recompute reads typed columns and a change of rules judges
 * the raw bytes again.
 */
public final class ArchiveStage {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveStage.class);
    private static final String EFF_MILLIS = "ingest_eff_ms";

    private ArchiveStage() {}

    /**
     * Archives the plan's records with ingest time below {@code range.to()} as one range, and records in its manifest
     * entry where each partition ends and the holes the plan crosses.
     */
    public static ArchiveResult run(SparkSession spark, BatchConfig config, IngestRange range, ArchivePlan plan, IngestLog log,
            Clock clock) {
        TopicCheck.requireLogAppendTime(config.kafka());
        return archive(spark, config, range, plan, read(spark, config, plan), log, clock);
    }

    /**
     * {@link #run} on records already read: the plan's offsets of each partition, in the columns of Spark's Kafka
     * source ({@code key}, {@code value}, {@code timestamp}, {@code partition}, {@code offset}).
     */
    public static ArchiveResult archive(SparkSession spark, BatchConfig config, IngestRange range, ArchivePlan plan,
            Dataset<Row> kafkaRecords, IngestLog log, Clock clock) {
        Instant started = clock.instant();
        LOG.info("Archiving {} records with ingest time below {} from offsets {}", config.kafka().eventsTopic(), range.to(), plan.reads());
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        Map<Integer, Instant> seeds = plan.reads().stream()
                .collect(Collectors.toMap(ArchivePlan.Read::partition, ArchivePlan.Read::lastIngest));
        String id = range.id();
        long count = master.writeFiles(id, below(withIngestEff(kafkaRecords, seeds), range.to()));

        Map<Integer, Row> ends = new HashMap<>();
        master.positions(id).groupBy(col(MasterDataset.PARTITION))
                .agg(max(col(MasterDataset.OFFSET)).as("last"), max(col(MasterDataset.INGEST_EFF)).as("last_eff"))
                .collectAsList()
                .forEach(row -> ends.put(row.getInt(0), row));
        List<PartitionOffsets> offsets = new ArrayList<>();
        List<IngestHole> holes = new ArrayList<>();
        for (ArchivePlan.Read read : plan.reads()) {
            Row end = ends.get(read.partition());
            offsets.add(end == null
                    ? new PartitionOffsets(read.partition(), read.fromOffset(), read.fromOffset(), read.lastIngest())
                    : new PartitionOffsets(read.partition(), read.fromOffset(), end.getLong(1) + 1, end.getTimestamp(2).toInstant()));
            if (read.crossesHole()) {
                holes.add(hole(read, log, range.to()));
            }
        }
        ArchivedRange archived = new ArchivedRange(id, ArchivedRange.Source.KAFKA, range.from(), range.to(), count, clock.instant(),
                config.kafka().eventsTopic(), offsets, holes, true, EventRules.VERSION);
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
     * Kafka records ({@code key}, {@code value}, {@code timestamp}, {@code partition}, {@code offset}) in the columns
     * of {@link MasterDataset#EFF_SCHEMA}: {@code ingest_eff} is the running maximum of {@code timestamp} over the
     * partition by offset, starting from the partition's seed (the ingest time of its last archived record).
     */
    public static Dataset<Row> withIngestEff(Dataset<Row> kafka, Map<Integer, Instant> seeds) {
        List<Column> entries = new ArrayList<>();
        seeds.forEach((partition, seed) -> {
            entries.add(lit(partition));
            entries.add(lit(seed.toEpochMilli()));
        });
        Column seed = entries.isEmpty()
                ? lit(0L)
                : org.apache.spark.sql.functions.coalesce(
                        element_at(org.apache.spark.sql.functions.map(entries.toArray(Column[]::new)), col("partition")), lit(0L));
        WindowSpec upToHere = Window.partitionBy(col("partition")).orderBy(col("offset"))
                .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
        return kafka
                .withColumn(EFF_MILLIS, greatest(seed, max(unix_millis(col("timestamp"))).over(upToHere)))
                .select(col("key").as(MasterDataset.KEY), col("value").as(MasterDataset.VALUE),
                        col("timestamp").as(MasterDataset.INGEST_TIME), col("partition").as(MasterDataset.PARTITION),
                        col("offset").as(MasterDataset.OFFSET), timestamp_millis(col(EFF_MILLIS)).as(MasterDataset.INGEST_EFF));
    }

    /** The records with ingest time ({@code ingest_eff}) below the cutoff: a prefix of every partition. */
    public static Dataset<Row> below(Dataset<Row> records, Instant cutoff) {
        return records.where(unix_millis(col(MasterDataset.INGEST_EFF)).lt(cutoff.toEpochMilli()));
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
