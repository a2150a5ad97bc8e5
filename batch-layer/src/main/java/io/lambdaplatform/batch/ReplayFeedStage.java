package io.lambdaplatform.batch;

import io.lambdaplatform.model.ReplayFeed;
import io.lambdaplatform.viewstore.IngestHole;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static io.lambdaplatform.batch.MasterDataset.INGEST_TIME;
import static io.lambdaplatform.batch.MasterDataset.KEY;
import static io.lambdaplatform.batch.MasterDataset.OFFSET;
import static io.lambdaplatform.batch.MasterDataset.PARTITION;
import static io.lambdaplatform.batch.MasterDataset.VALUE;
import static java.util.Objects.requireNonNull;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.unix_millis;

/**
 * The master dataset as a replay feed ({@link ReplayFeed}), for {@code ./lambda replay} to run the speed layer's topology
 * over before the live topic: every archived record of the events topic, written by Spark's Kafka sink into partition
 * {@code p} of the feed topic when it came from partition {@code p}, in offset order, with its offset and LogAppendTime;
 * the holes the batch layer recorded, where they fall; and last the offset where the partition's archive ends.
 *
 * <p>One task writes each partition, after a sort by offset, through an idempotent producer, so a partition of the feed is
 * in offset order. A retried task writes its records again; the speed layer skips a record at or below the last offset
 * it processed, so a feed written twice (a rerun after a failure) replays the same. Imported ranges are left out: the
 * events topic never held them, and a replay of the streaming path has no place for them.
 */
public final class ReplayFeedStage {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayFeedStage.class);
    private static final String HEADER_NAME = "header_name";
    private static final String HEADER_VALUE = "header_value";
    private static final String ORDER = "feed_order";
    private static final StructType FEED_SCHEMA = new StructType()
            .add(PARTITION, DataTypes.IntegerType, false)
            .add(KEY, DataTypes.BinaryType, true)
            .add(VALUE, DataTypes.BinaryType, true)
            .add(HEADER_NAME, DataTypes.StringType, false)
            .add(HEADER_VALUE, DataTypes.BinaryType, false)
            .add(ORDER, DataTypes.LongType, false);

    private ReplayFeedStage() {}

    /**
     * What the feed holds.
     *
     * @param records        archived records written
     * @param holes          holes written
     * @param ends           per partition, where its archive ends (the replay reads the events topic from there)
     * @param importsLeftOut imported ranges, which are not in the feed
     */
    public record FeedResult(String topic, long records, int holes, Map<Integer, PartitionOffsets> ends, int importsLeftOut,
            Duration duration) {

        public FeedResult {
            requireNonNull(topic, "topic is null");
            ends = Map.copyOf(requireNonNull(ends, "ends is null"));
            requireNonNull(duration, "duration is null");
        }

        /** The lines for the operator. */
        public String describe() {
            StringBuilder text = new StringBuilder("Replay feed ").append(topic).append(": ").append(records).append(" archived records, ")
                    .append(holes).append(" hole(s), ").append(ends.size()).append(" partition(s), ").append(duration.toMillis()).append(" ms");
            ends.values().stream().sorted(Comparator.comparingInt(PartitionOffsets::partition)).forEach(end -> text.append("\n  partition ")
                    .append(end.partition()).append(": archived up to offset ").append(end.toOffset()).append(", ingested until ")
                    .append(end.lastIngest()));
            if (importsLeftOut > 0) {
                text.append("\n  left out ").append(importsLeftOut).append(" imported range(s): the events topic never held them");
            }
            return text.toString();
        }
    }

    /** Writes the feed of the master dataset at {@code config.masterPath()} into {@code topic}, which must exist. */
    public static FeedResult run(SparkSession spark, BatchConfig config, String topic, Clock clock) {
        Instant started = clock.instant();
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        List<ArchivedRange> ranges = master.manifest();
        List<ArchivedRange> kafka = ranges.stream().filter(range -> range.source() == ArchivedRange.Source.KAFKA).toList();
        Map<Integer, PartitionOffsets> ends = master.archivedPositions();
        List<IngestHole> holes = kafka.stream().flatMap(range -> range.holes().stream()).toList();
        requirePartitions(config, topic, ends.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1);

        Dataset<Row> feed = feed(spark, master, kafka, ends, holes);
        Map<String, String> options = new HashMap<>();
        config.kafka().clientProperties().forEach((name, value) -> options.put("kafka." + name, String.valueOf(value)));
        // In order within a partition even when a request is retried.
        options.put("kafka." + ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        options.put("kafka." + ProducerConfig.ACKS_CONFIG, "all");
        feed.write().format("kafka").options(options).option("topic", topic).save();

        long records = kafka.stream().mapToLong(ArchivedRange::records).sum();
        FeedResult result = new FeedResult(topic, records, holes.size(), ends, ranges.size() - kafka.size(),
                Duration.between(started, clock.instant()));
        LOG.info("Wrote the replay feed {}: {} archived records, {} holes", topic, records, holes.size());
        return result;
    }

    /**
     * The feed's records in the columns of Spark's Kafka sink ({@code partition}, {@code key}, {@code value}, {@code headers}),
     * each partition of the events topic in one Spark partition, in its order: archived records by offset with the holes
     * where they fall, then its end.
     */
    static Dataset<Row> feed(SparkSession spark, MasterDataset master, List<ArchivedRange> kafka, Map<Integer, PartitionOffsets> ends,
            List<IngestHole> holes) {
        Column archivedHeader = concat_ws(",", col(OFFSET).cast(DataTypes.StringType), unix_millis(col(INGEST_TIME)).cast(DataTypes.StringType))
                .cast(DataTypes.BinaryType);
        Dataset<Row> archived = master.raw(kafka).select(col(PARTITION), col(KEY), col(VALUE), lit(ReplayFeed.ARCHIVED_HEADER).as(HEADER_NAME),
                archivedHeader.as(HEADER_VALUE), col(OFFSET).as(ORDER));
        List<Row> control = new ArrayList<>();
        for (IngestHole hole : holes) {
            control.add(row(hole.partition(), new ReplayFeed.Hole(hole.fromOffset(), hole.toOffset(), hole.fromIngest(), hole.toIngest()),
                    hole.fromOffset()));
        }
        for (PartitionOffsets end : ends.values()) {
            control.add(row(end.partition(), new ReplayFeed.End(end.toOffset(), end.lastIngest()), Long.MAX_VALUE));
        }
        return archived.unionByName(spark.createDataFrame(control, FEED_SCHEMA))
                .repartition(Math.max(1, ends.size()), col(PARTITION))
                .sortWithinPartitions(col(PARTITION), col(ORDER))
                .select(col(PARTITION), col(KEY), col(VALUE), array(struct(col(HEADER_NAME).as("key"), col(HEADER_VALUE).as("value"))).as("headers"));
    }

    private static Row row(int partition, ReplayFeed entry, long order) {
        Map.Entry<String, byte[]> header = entry.header();
        return RowFactory.create(partition, null, null, header.getKey(), header.getValue(), order);
    }

    /** The feed goes partition for partition: a topic with fewer partitions than the events topic had would mix them. */
    private static void requirePartitions(BatchConfig config, String topic, int needed) {
        try (Admin admin = Admin.create(config.kafka().clientProperties())) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic);
            if (description.partitions().size() < needed) {
                throw new MasterDatasetException("The replay feed " + topic + " has " + description.partitions().size()
                        + " partitions; the master dataset holds records of " + needed);
            }
        }
        catch (ExecutionException e) {
            throw new MasterDatasetException("Cannot describe the replay feed's topic " + topic + " (the replay creates it): "
                    + e.getCause().getMessage(), e);
        }
        catch (TimeoutException e) {
            throw new MasterDatasetException("Cannot describe the replay feed's topic " + topic + ": no answer in 60 s", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MasterDatasetException("Interrupted while describing " + topic, e);
        }
    }
}
