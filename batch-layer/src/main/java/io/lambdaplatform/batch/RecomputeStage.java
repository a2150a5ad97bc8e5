package io.lambdaplatform.batch;

import io.lambdaplatform.batch.internal.IdentityFingerprint;
import io.lambdaplatform.batch.internal.RecordCounters;
import io.lambdaplatform.batch.internal.RecordJudge;
import io.lambdaplatform.batch.internal.ViewAggregation;
import io.lambdaplatform.batch.internal.ViewPartitioner;
import io.lambdaplatform.model.EventCodec;
import io.lambdaplatform.model.EventRules;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Measure;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.BatchBuild;
import io.lambdaplatform.viewstore.BatchVersion;
import io.lambdaplatform.viewstore.BatchViewWriter;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.ViewPartition;
import io.lambdaplatform.viewstore.ViewRow;
import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;

/**
 * Computes the batch views for a cutoff and publishes them as a new version: from the whole master dataset (a full
 * recompute), or, when {@link RecomputePlan} shows that it is exact, by adding the records archived since the live
 * version's cutoff to that version's rows (an incremental run; the plan's javadoc gives the argument).
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
 *
 * <p>An incremental run from version V (cutoff C0) reads the judged records with ingest time in [C0, cutoff), drops
 * every identity that has a valid record below C0 (of those, only the identities' fingerprints are read:
 * {@link IdentityFingerprint}), takes the first copy of each identity left and aggregates them with the same
 * {@link ViewAggregation}. Of V it reads only what those partial rows are merged with ({@link BatchViews#changedOrAt}:
 * V's rows at their windows, and V's overlays on their partitions), merges ({@link Metrics#merge}) and writes
 * the result as overlays of the new version on the partitions it touches; every other partition of V is shared with the
 * new version ({@link BatchViews#extend}), not copied. So the new version holds every window, and the run costs in
 * proportion to the new records and the windows they change (plus the windows changed since each touched partition was
 * last written whole), the identity fingerprints of the history (16 bytes a record), and one index entry per partition.
 * Each version records how it was computed ({@link BatchViews#recordBuild}) before it is published.
 */
public final class RecomputeStage {

    private static final Logger LOG = LoggerFactory.getLogger(RecomputeStage.class);
    /**
     * Up to this many new records, an incremental run sends their identities to every task that scans the old ones
     * (a broadcast join) instead of shuffling every old identity.
     */
    static final long BROADCAST_NEW_RECORDS = 2_000_000;
    private static final String[] FINGERPRINT = IdentityFingerprint.COLUMNS.toArray(String[]::new);
    private static final String ORIGIN = "origin";
    private static final String ADDED_EVENTS = "added_events";

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
        List<ArchivedRange> manifest = master.manifest();
        BatchViews store = factory.open();
        RecomputePlan plan = RecomputePlan.choose(config, store, master, manifest, cutoff, started);
        plan.fullReason().ifPresent(reason -> LOG.info("Recomputing in full: {}", reason));
        int partitions = Math.max(1, spark.sessionState().conf().numShufflePartitions());

        BatchVersion version = store.begin(cutoff, started);
        long versionNumber = version.version();
        BatchBuild build = new BatchBuild(versionNumber, plan.isIncremental() ? BatchBuild.Kind.INCREMENTAL : BatchBuild.Kind.FULL,
                plan.base().map(base -> base.version().version()).orElse(BatchViews.NO_VERSION), EventRules.VERSION,
                ViewAggregation.definition(), RecomputePlan.basis(manifest, cutoff),
                plan.base().map(base -> base.build().lastFullAt()).orElse(started));
        store.recordBuild(build);
        LOG.info("Computing batch version {} ({}) for cutoff {} from {}", versionNumber, build.describe(), cutoff, master);

        // The views are computed and kept before any is written, so that the two phases are timed apart.
        long aggregateStarted = System.nanoTime();
        Dataset<Row> views;
        Observation observation = new Observation("recompute " + cutoff);
        Optional<RecordCounters> counted = Optional.empty();
        int decodedRanges;
        List<Dataset<Row>> intermediate = new ArrayList<>();
        Optional<Extension> extension = Optional.empty();
        if (plan.base().isEmpty()) {
            MasterDataset.Judged judged = master.judged(manifest, cutoff);
            decodedRanges = judged.decoded().size();
            views = ViewAggregation.views(RecordCounters.observe(judged.records(), observation), partitions)
                    .persist(StorageLevel.MEMORY_AND_DISK());
        }
        else {
            BatchVersion base = plan.base().get().version();
            LOG.info("Adding the records with ingest time in [{}, {}) to version {}", base.cutoff(), cutoff, base.version());
            List<ArchivedRange> reaching = RecomputePlan.reaching(manifest, base.cutoff());
            MasterDataset.Judged added = master.judged(reaching, base.cutoff(), cutoff);
            List<ArchivedRange> below = RecomputePlan.below(manifest, base.cutoff());
            decodedRanges = (int) Stream.concat(added.decoded().stream(), below.stream().filter(range -> !range.judgedWith(EventRules.VERSION)))
                    .map(ArchivedRange::id).distinct().count();
            Dataset<Row> newRecords = added.records().persist(StorageLevel.MEMORY_AND_DISK());
            intermediate.add(newRecords);
            counted = Optional.of(RecordCounters.counted(newRecords));
            boolean few = reaching.stream().mapToLong(ArchivedRange::records).sum() <= BROADCAST_NEW_RECORDS;
            Dataset<Row> unseen = unseen(newRecords.where(col(RecordJudge.VALID)), master.identities(below, base.cutoff()), few);
            views = mergedWithBase(factory, base.version(), ViewAggregation.views(unseen, partitions)).persist(StorageLevel.MEMORY_AND_DISK());
            Extension extending = Extension.of(views);
            extension = Optional.of(extending);
            LOG.info("The new events change {} windows in {} partitions of version {} ({} of them new); the rest is shared",
                    extending.windows(), extending.touched().size(), base.version(), extending.newWindows());
        }
        long cells = extension.map(Extension::rows).orElseGet(views::count);
        RecordCounters counters = counted.orElseGet(() -> RecordCounters.of(observation));
        Duration aggregate = Duration.ofNanos(System.nanoTime() - aggregateStarted);
        intermediate.forEach(dataset -> dataset.unpersist(false));
        LOG.info("Computed {} view rows in {} ms", cells, aggregate.toMillis());
        LongAccumulator rowsWritten = spark.sparkContext().longAccumulator("view rows written");
        LongAccumulator eventsWritten = spark.sparkContext().longAccumulator("events in day rows written");
        long writeStarted = System.nanoTime();
        boolean extending = extension.isPresent();
        extension.ifPresent(changes -> store.extend(versionNumber, plan.base().orElseThrow().version().version(), changes.touched()));
        views.foreachPartition((ForeachPartitionFunction<Row>) rows -> write(rows, factory, versionNumber, extending, rowsWritten, eventsWritten));
        Duration write = Duration.ofNanos(System.nanoTime() - writeStarted);
        views.unpersist(false);
        LOG.info("Wrote {} view rows of version {} in {} ms", rowsWritten.value(), versionNumber, write.toMillis());

        long written = rowsWritten.value();
        long rows = extension.map(changes -> plan.base().orElseThrow().version().viewRows() + changes.newWindows()).orElse(written);
        long events = extension.map(changes -> plan.base().orElseThrow().version().eventCount() + changes.newEvents()).orElse(eventsWritten.value());
        if (!config.pauseBeforePublish().isNone()) {
            LOG.info("All {} rows of version {} written; pausing {} before publishing", rows, versionNumber, config.pauseBeforePublish());
            config.pauseBeforePublish().await();
        }
        stillHeld.run();
        BatchVersion published = store.publish(versionNumber, rows, events, clock.instant(), pointerAtStart);
        List<BatchVersion> removed = store.retainLatest(config.keepVersions());
        removed.forEach(old -> LOG.info("Removed batch version {} (cutoff {})", old.version(), old.cutoff()));
        long eventsBefore = plan.base().map(base -> base.version().eventCount()).orElse(0L);
        return new RecomputeResult(published, counters.records(), counters.rejectedByReason(),
                Math.max(0, counters.valid() - (events - eventsBefore)), events, rows, written, removed.size(),
                Duration.between(started, clock.instant()), aggregate, write, EventRules.VERSION, decodedRanges, build, plan.fullReason());
    }

    /**
     * The new valid records of every identity that has no valid record below the base version's cutoff: the events the
     * base version has not counted, every copy. Identities are compared by their {@link IdentityFingerprint}: of the
     * records below the cutoff Parquet reads the two fingerprint columns ({@link MasterDataset#identities}). History is
     * first narrowed by the fingerprint's high half alone, a single long, which Spark's hash join looks up in a map of
     * longs instead of hashing and comparing a row per record; what is left (the copies of new events, and about one
     * record in 2^64 of the others) is then compared with the new records by both halves. When the new records are few,
     * their fingerprints go to every task that scans the old ones (a broadcast join), so that history is filtered where
     * it is read instead of shuffled, and the few fingerprints seen before go to every task of the new records. Neither
     * side is made distinct first: a semi-join and an anti-join give the same rows whether a key repeats or not, and a
     * distinct would cost a shuffle of its own.
     */
    private static Dataset<Row> unseen(Dataset<Row> newValid, Dataset<Row> oldIdentities, boolean few) {
        Dataset<Row> fingerprinted = newValid.withColumn(IdentityFingerprint.HIGH, IdentityFingerprint.high())
                .withColumn(IdentityFingerprint.LOW, IdentityFingerprint.low());
        Dataset<Row> newHighs = fingerprinted.select(col(IdentityFingerprint.HIGH));
        Dataset<Row> seen = oldIdentities.join(few ? broadcast(newHighs) : newHighs, IdentityFingerprint.HIGH, "left_semi");
        return fingerprinted.join(few ? broadcast(seen) : seen, FINGERPRINT, "left_anti").drop(FINGERPRINT);
    }

    /**
     * The new version's rows of the partitions the new partial rows fall in (one row per window, every product's rows in
     * one Spark partition, as {@link ViewAggregation#views} places them): each task reads from the base version what its
     * partial rows are merged with ({@link BatchViews#changedOrAt}: the base's rows at their windows, and its overlays on
     * their partitions; the products of a task concurrently) and merges each window's rows with {@link Metrics#merge},
     * common-model's merge. So the merge costs no shuffle and no Spark job of its own. Columns {@link ViewAggregation#viewSchema()}
     * and {@value #ORIGIN} ({@link Origin}) and {@value #ADDED_EVENTS} (the new events in the row).
     */
    private static Dataset<Row> mergedWithBase(BatchViewsFactory factory, long version, Dataset<Row> partial) {
        StructType schema = ViewAggregation.viewSchema().add(ORIGIN, DataTypes.ByteType, false).add(ADDED_EVENTS, DataTypes.LongType, false);
        return partial.mapPartitions((MapPartitionsFunction<Row, Row>) rows -> {
            Map<ViewKey, ViewRow> added = new HashMap<>();
            Map<ViewPartition, Set<Instant>> at = new HashMap<>();
            rows.forEachRemaining(row -> {
                ViewRow partialRow = ViewAggregation.viewRow(row);
                added.put(partialRow.key(), partialRow);
                at.computeIfAbsent(ViewPartition.of(partialRow.key()), partition -> new HashSet<>()).add(partialRow.key().window().start());
            });
            List<Row> merged = new ArrayList<>(added.size());
            for (ViewRow stored : at.isEmpty() ? List.<ViewRow>of() : factory.open().changedOrAt(version, at)) {
                ViewRow partialRow = added.remove(stored.key());
                merged.add(partialRow == null ? withOrigin(stored, Origin.BASE, 0)
                        : withOrigin(new ViewRow(stored.key(), stored.metrics().merge(partialRow.metrics())), Origin.MERGED,
                                partialRow.metrics().eventCount()));
            }
            // What is left of the new rows, the base version lacks.
            added.values().forEach(partialRow -> merged.add(withOrigin(partialRow, Origin.NEW, partialRow.metrics().eventCount())));
            return merged.iterator();
        }, Encoders.row(schema));
    }

    /** Where a row of {@link #mergedWithBase} comes from. */
    private enum Origin {
        /** A row of the base version's overlay that no new event changes: carried into the new overlay as it is. */
        BASE,
        /** A window of the base version that new events change. */
        MERGED,
        /** A window the base version lacks. */
        NEW
    }

    private static Row withOrigin(ViewRow row, Origin origin, long addedEvents) {
        Row values = ViewAggregation.row(row);
        Object[] extended = new Object[values.size() + 2];
        for (int i = 0; i < values.size(); i++) {
            extended[i] = values.get(i);
        }
        extended[values.size()] = (byte) origin.ordinal();
        extended[values.size() + 1] = addedEvents;
        return RowFactory.create(extended);
    }

    /**
     * How an incremental run changes its base version: the partitions its new rows fall in, how many windows those rows
     * have, how many of them the base lacks, how many events they add, and how many rows the new version writes.
     */
    private record Extension(Set<ViewPartition> touched, long windows, long newWindows, long newEvents, long rows) {

        /** One collect of the merged rows' keys, origins and added events: a few bytes per row written. */
        static Extension of(Dataset<Row> merged) {
            Set<ViewPartition> touched = new HashSet<>();
            long windows = 0;
            long newWindows = 0;
            long dayEvents = 0;
            List<Row> rows = merged.select(col(EventCodec.PRODUCT_ID), col(ViewAggregation.GRANULARITY), ViewAggregation.partitionStartMillis(),
                    col(ORIGIN), col(ADDED_EVENTS)).collectAsList();
            for (Row row : rows) {
                Origin origin = Origin.values()[row.getByte(3)];
                if (origin == Origin.BASE) {
                    continue;
                }
                Granularity granularity = Granularity.parse(row.getString(1));
                touched.add(new ViewPartition(row.getString(0), granularity, Instant.ofEpochMilli(row.getLong(2))));
                windows++;
                newWindows += origin == Origin.NEW ? 1 : 0;
                dayEvents += granularity == Granularity.ONE_DAY ? row.getLong(4) : 0;
            }
            return new Extension(touched, windows, newWindows, dayEvents, rows.size());
        }
    }

    /** @param extending whether the version extends another ({@link BatchViews#extend} laid it out): then rows only are written */
    private static void write(Iterator<Row> rows, BatchViewsFactory factory, long version, boolean extending, LongAccumulator rowsWritten,
            LongAccumulator eventsWritten) {
        long events = 0;
        long count;
        try (BatchViewWriter writer = extending ? factory.open().rowWriter(version) : factory.open().writer(version)) {
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
