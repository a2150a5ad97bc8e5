package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.IngestHole;
import io.lambdaplatform.viewstore.SpeedRow;
import io.lambdaplatform.viewstore.SpeedTaskProgress;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The Cassandra writes a stream task owes since its last commit, and the hook that pays them before the
 * commit. One instance per task; no changelog: what it holds is derived from records that are not
 * committed yet, and is derived again from them if the task restarts.
 *
 * <p>Why this is exact: Kafka Streams 4.1 commits a task in {@code StreamTask.prepareCommit}, which
 * calls {@code ProcessorStateManager.flushCache()} — i.e. {@link CachedStateStore#flushCache()} on every
 * store that implements it — and only then flushes the producer and commits the transaction with the
 * input offsets. ({@link StateStore#flush()} is not a pre-commit hook under exactly-once: it only runs
 * when a checkpoint is written, after the commit.) So {@link #flushCache()} writes every staged row,
 * blocking and retrying until Cassandra has them all, and a commit never covers a record whose row is
 * not in Cassandra. After a crash the state stores roll back to the last commit, the records after it
 * are processed again in the same order, and the same (value, version) pairs are written again. A
 * paused instance's flush that lands after the new owner's writes carries lower versions and loses.
 *
 * <p>Progress is written after the rows it covers, at most once per {@code progressInterval}. With a task's first
 * progress, and whenever the events topic has partitions it has not reported on (it has grown), it also reports each of
 * those as not heard from yet ({@link SpeedTaskProgress#notYet}), so that readers know every source partition from the
 * first report on and flag the ones not covered instead of leaving them out. No watermark is reported past the time
 * until which the partition count is certain ({@link SourcePartitions#certainUntil}): after it, a partition added to the
 * topic may hold records no report names yet.
 */
public final class PendingWrites implements StateStore, CachedStateStore<Object, Object> {

    public static final String SOURCE_NAME = "speed-pending-source-writes";
    public static final String PRODUCT_NAME = "speed-pending-row-writes";

    /** A product is recorded again after this much ingest time, so its TTL'd product row outlives its rows. */
    private static final Duration PRODUCT_REFRESH = Duration.ofHours(1);
    private static final int MAX_KNOWN_PRODUCTS = 100_000;

    private record RowId(ViewKey key, Instant ingestBucket, int sourcePartition, String correction) {}

    private record DeadLetterTotal(long total, long offset) {}

    private record Progress(Instant watermark, Instant coveredSince, Instant logBegins) {}

    private final String name;
    private final SpeedViews views;
    private final DeltaWriter writer;
    private final IntSupplier productTasks;
    private final Supplier<SourcePartitions> sourcePartitions;
    private final Duration retention;
    private final Duration progressInterval;
    private final Clock clock;
    private final Map<RowId, SpeedRow> rows = new LinkedHashMap<>();
    private final Map<String, Instant> recordedProducts = new HashMap<>();
    private final List<String> productsToRecord = new ArrayList<>();
    private final Map<RejectionReason, DeadLetterTotal> deadLetterTotals = new EnumMap<>(RejectionReason.class);
    private final List<IngestHole> holes = new ArrayList<>();
    private final Map<Integer, Progress> progress = new TreeMap<>();
    /** The source partitions this task has reported on since it opened, heard from or not yet. */
    private final Set<Integer> reported = new HashSet<>();
    private Instant progressSavedAt = Instant.MIN;
    private Runnable beforeWrites = () -> { };
    private int task = -1;
    private boolean open;

    /**
     * @param productTasks     the partition count of the repartition topic ({@link SourceLog#productTasks})
     * @param sourcePartitions the partition count of the events topic as last seen ({@link SourceLog#sourcePartitions})
     */
    public PendingWrites(String name, SpeedViews views, DeltaWriter writer, IntSupplier productTasks, Supplier<SourcePartitions> sourcePartitions,
            Duration retention, Duration progressInterval, Clock clock) {
        this.name = requireNonNull(name, "name is null");
        this.views = requireNonNull(views, "views is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.productTasks = requireNonNull(productTasks, "productTasks is null");
        this.sourcePartitions = requireNonNull(sourcePartitions, "sourcePartitions is null");
        this.retention = requireNonNull(retention, "retention is null");
        this.progressInterval = requireNonNull(progressInterval, "progressInterval is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The row's new value, to be written before the next commit; a later staging of the same row replaces it. */
    public void stage(SpeedRow row) {
        rows.put(new RowId(row.key(), row.ingestBucket(), row.sourcePartition(), row.correction()), row);
    }

    public boolean isStaged(AggregateKey key) {
        return rows.containsKey(new RowId(key.viewKey(), key.ingestBucket(), key.sourcePartition(), ""));
    }

    public void stageProduct(String productId, Instant ingestTime) {
        Instant recorded = recordedProducts.get(productId);
        if (recorded == null || !ingestTime.isBefore(recorded.plus(PRODUCT_REFRESH))) {
            if (recordedProducts.size() >= MAX_KNOWN_PRODUCTS) {
                recordedProducts.clear();
            }
            recordedProducts.put(productId, ingestTime);
            productsToRecord.add(productId);
        }
    }

    /** The task's partition's new total of dead letters for the reason, counted up to the record at {@code offset}. */
    public void stageDeadLetters(RejectionReason reason, long total, long offset) {
        deadLetterTotals.put(reason, new DeadLetterTotal(total, offset));
    }

    public void stageHole(IngestHole hole) {
        holes.add(hole);
    }

    /** Every record of {@code sourcePartition} ingested before {@code watermark} that this task owns has been staged. */
    public void stageProgress(int sourcePartition, Instant watermark, Instant coveredSince, Instant logBegins) {
        progress.merge(sourcePartition, new Progress(watermark, coveredSince, logBegins),
                (known, seen) -> seen.watermark().isAfter(known.watermark()) ? seen : known);
    }

    /**
     * {@code stage} runs first at every flush, before the staged writes are paid: a processor that keeps rows in memory
     * between commits stages them (and puts them into its stores) then. Replaces the one given before.
     */
    public void beforeWrites(Runnable stage) {
        this.beforeWrites = requireNonNull(stage, "stage is null");
    }

    /** Kafka Streams calls this before every commit of the task: pay every staged write, then the progress they make. */
    @Override
    public void flushCache() {
        writeThrough();
    }

    @Override
    public void flush() {
        writeThrough();
    }

    private void writeThrough() {
        beforeWrites.run();
        List<DeltaWriter.Write> writes = new ArrayList<>(rows.size() + productsToRecord.size() + deadLetterTotals.size() + holes.size());
        // One write per product: the view store writes a product's rows in as few requests as its partitions allow.
        Map<String, List<SpeedRow>> byProduct = new LinkedHashMap<>();
        for (SpeedRow row : rows.values()) {
            byProduct.computeIfAbsent(row.key().productId(), ignored -> new ArrayList<>()).add(row);
        }
        for (Map.Entry<String, List<SpeedRow>> product : byProduct.entrySet()) {
            List<SpeedRow> productRows = product.getValue();
            writes.add(new DeltaWriter.Write(productRows.size() + " speed rows of " + product.getKey(), () -> views.write(productRows)));
        }
        for (String product : productsToRecord) {
            writes.add(new DeltaWriter.Write("product " + product, () -> views.recordProduct(product)));
        }
        for (Map.Entry<RejectionReason, DeadLetterTotal> entry : deadLetterTotals.entrySet()) {
            DeadLetterCount count = new DeadLetterCount(task, entry.getKey(), entry.getValue().total());
            long offset = entry.getValue().offset();
            writes.add(blocking("dead-letter count " + count, () -> views.saveDeadLetters(count, offset)));
        }
        for (IngestHole hole : holes) {
            writes.add(blocking("hole " + hole, () -> views.recordHole(hole)));
        }
        if (!writes.isEmpty()) {
            writer.writeAll(writes);
        }
        rows.clear();
        productsToRecord.clear();
        deadLetterTotals.clear();
        holes.clear();
        Instant now = clock.instant();
        if (!progress.isEmpty() && !now.isBefore(progressSavedAt.plus(progressInterval))) {
            int taskCount = productTasks.getAsInt();
            SourcePartitions sources = sourcePartitions.get();
            List<DeltaWriter.Write> notHeardFrom = new ArrayList<>();
            for (int source = 0; source < sources.count(); source++) {
                if (!reported.contains(source) && !progress.containsKey(source)) {
                    SpeedTaskProgress notYet = SpeedTaskProgress.notYet(source, task, taskCount, retention, now);
                    notHeardFrom.add(blocking("progress " + notYet, () -> views.saveProgress(notYet)));
                }
            }
            // Before the reports: a reader must never see a partition covered while another one is not named yet.
            writer.writeAll(notHeardFrom);
            List<DeltaWriter.Write> reports = new ArrayList<>();
            for (Map.Entry<Integer, Progress> entry : progress.entrySet()) {
                // Past the count's certainUntil the topic may have a partition that is not named yet: no report vouches for it.
                Instant watermark = entry.getValue().watermark();
                Instant vouched = watermark.isAfter(sources.certainUntil()) ? sources.certainUntil() : watermark;
                SpeedTaskProgress report = new SpeedTaskProgress(entry.getKey(), task, taskCount, vouched,
                        entry.getValue().coveredSince(), retention, now, entry.getValue().logBegins());
                reports.add(blocking("progress " + report, () -> views.saveProgress(report)));
            }
            writer.writeAll(reports);
            for (int source = 0; source < sources.count(); source++) {
                reported.add(source);
            }
            reported.addAll(progress.keySet());
            progress.clear();
            progressSavedAt = now;
        }
    }

    private static DeltaWriter.Write blocking(String what, Runnable write) {
        return new DeltaWriter.Write(what, () -> {
            try {
                write.run();
                return CompletableFuture.completedFuture(null);
            }
            catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        });
    }

    @Override
    public void clearCache() {
        // Nothing is cached on behalf of another store.
    }

    @Override
    public boolean setFlushListener(CacheFlushListener<Object, Object> listener, boolean sendOldValues) {
        return false;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        task = context.taskId().partition();
        context.register(root, (key, value) -> {
            throw new IllegalStateException(name + " has no changelog to restore from");
        });
        open = true;
    }

    /** Dropping what is staged is right: a clean close commits (and so writes) first; a dirty one reprocesses. */
    @Override
    public void close() {
        rows.clear();
        productsToRecord.clear();
        deadLetterTotals.clear();
        holes.clear();
        progress.clear();
        reported.clear();
        beforeWrites = () -> { };
        open = false;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
