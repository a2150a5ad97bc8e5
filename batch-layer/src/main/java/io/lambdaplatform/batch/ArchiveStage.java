package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.TopicCheck;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.unix_millis;

/**
 * Appends the records of one ingest range of the {@code events} topic to the master dataset.
 *
 * <p>Spark's Kafka source finds the offsets by timestamp ({@code startingTimestamp}/{@code endingTimestamp};
 * LogAppendTime grows with the offset in each partition), and the rows are then filtered by timestamp,
 * so the range holds exactly the records with ingest time in {@code [from, to)}. Every record is kept raw,
 * valid or not: validation happens when views are computed, with whatever rules are current then.
 */
public final class ArchiveStage {

    private static final Logger LOG = LoggerFactory.getLogger(ArchiveStage.class);

    private ArchiveStage() {}

    public static ArchiveResult run(SparkSession spark, BatchConfig config, IngestRange range, Clock clock) {
        Instant started = clock.instant();
        TopicCheck.requireLogAppendTime(config.bootstrapServers(), config.eventsTopic());
        LOG.info("Archiving {} records with ingest time in {}", config.eventsTopic(), range);
        ArchivedRange archived = MasterDataset.at(spark, config.masterPath()).write(
                range.id(), ArchivedRange.Source.KAFKA, range.from(), range.to(), config.eventsTopic(), read(spark, config, range));
        return new ArchiveResult(range, archived, Duration.between(started, clock.instant()));
    }

    /** The records of the range, in the columns of {@link MasterDataset#SCHEMA}. */
    public static Dataset<Row> read(SparkSession spark, BatchConfig config, IngestRange range) {
        long from = range.from().toEpochMilli();
        long to = range.to().toEpochMilli();
        return spark.read()
                .format("kafka")
                .option("kafka.bootstrap.servers", config.bootstrapServers())
                .option("subscribe", config.eventsTopic())
                .option("startingTimestamp", Long.toString(from))
                .option("endingTimestamp", Long.toString(to))
                // A partition with nothing at or after `from` starts at its end instead of failing.
                .option("startingOffsetsByTimestampStrategy", "latest")
                .option("includeHeaders", "false")
                .load()
                .where(unix_millis(col("timestamp")).geq(from).and(unix_millis(col("timestamp")).lt(to)))
                .select(col("key"), col("value"), col("timestamp").as(MasterDataset.INGEST_TIME),
                        col("partition").as(MasterDataset.PARTITION), col("offset").as(MasterDataset.OFFSET));
    }
}
