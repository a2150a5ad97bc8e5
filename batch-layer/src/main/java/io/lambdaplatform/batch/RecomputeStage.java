package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.FirstCopy;
import io.lambdaplatform.batch.internal.RecordCounters;
import io.lambdaplatform.batch.internal.ViewCell;
import io.lambdaplatform.batch.internal.ViewPartitioner;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventIdentity;
import io.lambdaplatform.model.EventVerdict;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Recomputes the batch views from the whole master dataset and publishes them as a new version.
 *
 * <p>Every record with ingest time below the cutoff is judged by {@link EventCodec#decode(byte[], byte[])}
 * (the speed layer's judge), copies of one event are reduced to the first ingested one, and each event's
 * {@link Metrics#of partial aggregate} is merged per {@link ViewKey} at every granularity with
 * {@link Metrics#merge}: the aggregation is common-model's, not re-written in SQL. The executors write the
 * rows through {@link BatchViews#writer}, every row of one Cassandra partition from the same task
 * ({@link ViewPartitioner}), so that the writer can batch them; only when every task has succeeded does the driver flip
 * the pointer. The views are computed and kept (memory, spilling to disk) before the first row is written, so that the
 * result reports the time of each phase. A run that dies before leaves an unpublished version nobody reads. Copies of one event are ordered by
 * (ingest_eff, partition, offset), the running maximum of LogAppendTime first, as in the speed layer.
 */
public final class RecomputeStage {

    private static final Logger LOG = LoggerFactory.getLogger(RecomputeStage.class);

    private RecomputeStage() {}

    public static RecomputeResult run(SparkSession spark, BatchConfig config, Instant cutoff, BatchViewsFactory factory, Clock clock) {
        return run(spark, config, cutoff, factory, clock, factory.open().current().map(BatchVersion::version).orElse(BatchViews.NO_VERSION),
                () -> {});
    }

    /**
     * @param pointerAtStart the version the pointer showed when the run began: the publication is a compare-and-set
     *                       against it, so a rollback or another run in between makes this run fail instead of
     *                       being silently undone or undoing theirs
     * @param stillHeld      throws when the run lost its lease; called before publishing
     */
    public static RecomputeResult run(SparkSession spark, BatchConfig config, Instant cutoff, BatchViewsFactory factory, Clock clock,
            long pointerAtStart, Runnable stillHeld) {
        Instant started = clock.instant();
        MasterDataset master = MasterDataset.at(spark, config.masterPath());
        RecordCounters counters = new RecordCounters(spark.sparkContext());

        JavaPairRDD<EventIdentity, FirstCopy> firstCopies = master.records(cutoff).javaRDD()
                .flatMapToPair(row -> judge(row, counters))
                .reduceByKey(FirstCopy::earlier);
        JavaPairRDD<ViewCell, Metrics> views = firstCopies
                .flatMapToPair(first -> cells(first._2()))
                // an empty master dataset has no partitions; its (empty) views still get one
                .reduceByKey(new ViewPartitioner(Math.max(1, firstCopies.getNumPartitions())), Metrics::merge)
                .persist(StorageLevel.MEMORY_AND_DISK());

        BatchViews store = factory.open();
        BatchVersion version = store.begin(cutoff, started);
        LOG.info("Recomputing batch version {} for cutoff {} from {}", version.version(), cutoff, master);
        long versionNumber = version.version();
        // The views are computed and kept before any is written, so that the two phases are timed apart.
        long aggregateStarted = System.nanoTime();
        long cells = views.count();
        Duration aggregate = Duration.ofNanos(System.nanoTime() - aggregateStarted);
        LOG.info("Computed {} view rows in {} ms", cells, aggregate.toMillis());
        LongAccumulator rowsWritten = spark.sparkContext().longAccumulator("view rows written");
        LongAccumulator eventsWritten = spark.sparkContext().longAccumulator("events in day rows written");
        long writeStarted = System.nanoTime();
        views.foreachPartition(rows -> write(rows, factory, versionNumber, rowsWritten, eventsWritten));
        Duration write = Duration.ofNanos(System.nanoTime() - writeStarted);
        views.unpersist(false);
        LOG.info("Wrote {} view rows of version {} in {} ms", rowsWritten.value(), versionNumber, write.toMillis());

        long rows = rowsWritten.value();
        long events = eventsWritten.value();
        if (!config.pauseBeforePublish().isNone()) {
            LOG.info("All {} rows of version {} written; pausing {} before publishing", rows, versionNumber, config.pauseBeforePublish());
            config.pauseBeforePublish().await();
        }
        stillHeld.run();
        BatchVersion published = store.publish(versionNumber, rows, events, clock.instant(), pointerAtStart);
        List<BatchVersion> removed = store.retainLatest(config.keepVersions());
        removed.forEach(old -> LOG.info("Removed batch version {} (cutoff {})", old.version(), old.cutoff()));
        return new RecomputeResult(published, counters.records(), counters.rejectedByReason(),
                Math.max(0, counters.valid() - events), events, rows, removed.size(),
                Duration.between(started, clock.instant()), aggregate, write);
    }

    private static Iterator<Tuple2<EventIdentity, FirstCopy>> judge(Row row, RecordCounters counters) {
        counters.countRecord();
        byte[] key = row.isNullAt(0) ? null : (byte[]) row.get(0);
        byte[] value = row.isNullAt(1) ? null : (byte[]) row.get(1);
        EventVerdict verdict = EventCodec.decode(key, value);
        if (verdict instanceof EventVerdict.Valid valid) {
            counters.countValid();
            FirstCopy copy = new FirstCopy(valid.event(), row.getLong(2), row.getInt(3), row.getLong(4));
            return Collections.singletonList(new Tuple2<>(valid.event().identity(), copy)).iterator();
        }
        counters.countRejected(((EventVerdict.Invalid) verdict).rejection().reason());
        return Collections.emptyIterator();
    }

    private static Iterator<Tuple2<ViewCell, Metrics>> cells(FirstCopy first) {
        Metrics metrics = Metrics.of(first.event());
        List<Tuple2<ViewCell, Metrics>> cells = new ArrayList<>(Granularity.values().length);
        for (ViewKey key : ViewKey.allOf(first.event())) {
            cells.add(new Tuple2<>(ViewCell.of(key), metrics));
        }
        return cells.iterator();
    }

    private static void write(Iterator<Tuple2<ViewCell, Metrics>> rows, BatchViewsFactory factory, long version,
            LongAccumulator rowsWritten, LongAccumulator eventsWritten) {
        long events = 0;
        long count;
        try (BatchViewWriter writer = factory.open().writer(version)) {
            while (rows.hasNext()) {
                Tuple2<ViewCell, Metrics> row = rows.next();
                ViewKey key = row._1().key();
                writer.write(new ViewRow(key, row._2()));
                if (key.window().granularity() == Granularity.ONE_DAY) {
                    events += row._2().eventCount();
                }
            }
            count = writer.rowCount();
        }
        // Only after close(): every row of this task is stored. Spark applies the updates of successful tasks once.
        rowsWritten.add(count);
        eventsWritten.add(events);
    }
}
