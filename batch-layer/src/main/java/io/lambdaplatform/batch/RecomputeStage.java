package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.RecordCounters;
import io.lambdaplatform.batch.internal.ViewAggregation;
import io.lambdaplatform.batch.internal.ViewPartitioner;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Measure;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;

/**
 * Recomputes the batch views from the whole master dataset and publishes them as a new version.
 *
 * <p>It reads the records with ingest time below the cutoff as {@link EventCodec} judged them when they were archived
 * (the typed columns of the master dataset; ranges judged with other rules, or archived before records were judged,
 * are decoded again from their raw bytes: {@link MasterDataset#judged}). On Spark SQL's engine, copies of one event
 * are reduced to the first one by (ingest_eff, partition, offset), the running maximum of LogAppendTime first, as in
 * the speed layer, and every {@link Measure} is aggregated per product and window at every granularity
 * ({@link ViewAggregation}): the measures are common-model's description, which {@link Metrics#of} and
 * {@link Metrics#merge} follow too. The executors write the rows through {@link BatchViews#writer}, every row of one
 * Cassandra partition from the same task ({@link ViewPartitioner}), so that the writer can batch them; only when every
 * task has succeeded does the driver flip the pointer. Records are shuffled once, by product; everything after runs in
 * the task that holds the product. The views are computed and kept (memory, spilling to disk)
 * before the first row is written, so that the result reports the time of each phase. A run that dies before leaves an
 * unpublished version nobody reads.
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
        MasterDataset.Judged judged = master.judged(cutoff);
        Observation observation = new Observation("recompute " + cutoff);
        int partitions = Math.max(1, spark.sessionState().conf().numShufflePartitions());
        Dataset<Row> views = ViewAggregation.views(RecordCounters.observe(judged.records(), observation), partitions)
                .persist(StorageLevel.MEMORY_AND_DISK());

        BatchViews store = factory.open();
        BatchVersion version = store.begin(cutoff, started);
        LOG.info("Recomputing batch version {} for cutoff {} from {}", version.version(), cutoff, master);
        long versionNumber = version.version();
        // The views are computed and kept before any is written, so that the two phases are timed apart.
        long aggregateStarted = System.nanoTime();
        long cells = views.count();
        Duration aggregate = Duration.ofNanos(System.nanoTime() - aggregateStarted);
        RecordCounters counters = RecordCounters.of(observation);
        LOG.info("Computed {} view rows in {} ms", cells, aggregate.toMillis());
        LongAccumulator rowsWritten = spark.sparkContext().longAccumulator("view rows written");
        LongAccumulator eventsWritten = spark.sparkContext().longAccumulator("events in day rows written");
        long writeStarted = System.nanoTime();
        views.foreachPartition((ForeachPartitionFunction<Row>) rows -> write(rows, factory, versionNumber, rowsWritten, eventsWritten));
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
                Duration.between(started, clock.instant()), aggregate, write, EventRules.VERSION, judged.decoded().size());
    }

    private static void write(Iterator<Row> rows, BatchViewsFactory factory, long version, LongAccumulator rowsWritten,
            LongAccumulator eventsWritten) {
        long events = 0;
        long count;
        try (BatchViewWriter writer = factory.open().writer(version)) {
            while (rows.hasNext()) {
                ViewRow row = ViewAggregation.viewRow(rows.next());
                writer.write(row);
                if (row.key().window().granularity() == Granularity.ONE_DAY) {
                    events += row.metrics().eventCount();
                }
            }
            count = writer.rowCount();
        }
        // Only after close(): every row of this task is stored. Spark applies the updates of successful tasks once.
        rowsWritten.add(count);
        eventsWritten.add(events);
    }
}
