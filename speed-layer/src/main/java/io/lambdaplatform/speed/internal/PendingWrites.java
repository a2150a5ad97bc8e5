package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.RejectionReason;
import io.lambdaplatform.speed.SpeedWatermarks;
import io.lambdaplatform.viewstore.DeadLetterCount;
import io.lambdaplatform.viewstore.SpeedDelta;
import io.lambdaplatform.viewstore.SpeedViews;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * when a checkpoint is written, after the commit.) So {@link #flushCache()} writes every staged delta,
 * blocking and retrying until Cassandra has them all, and a commit never covers a record whose aggregate
 * is not in Cassandra. After a crash the state stores roll back to the last commit, the records after it
 * are processed again in the same order, and the same absolute values are written again.
 */
public final class PendingWrites implements StateStore, CachedStateStore<Object, Object> {

    public static final String NAME = "speed-pending-writes";

    /** A product is recorded again after this much ingest time, so its TTL'd product row outlives its rows. */
    private static final Duration PRODUCT_REFRESH = Duration.ofHours(1);
    private static final int MAX_KNOWN_PRODUCTS = 100_000;

    private final SpeedViews views;
    private final DeltaWriter writer;
    private final SpeedWatermarks watermarks;
    private final Map<AggregateKey, Metrics> deltas = new LinkedHashMap<>();
    private final Map<String, Instant> recordedProducts = new HashMap<>();
    private final List<String> productsToRecord = new ArrayList<>();
    private final Map<RejectionReason, Long> deadLetterTotals = new EnumMap<>(RejectionReason.class);
    private int partition = -1;
    private Instant firstApplied;
    private Instant lastApplied;
    private long lastOffset = -1;
    private boolean open;

    public PendingWrites(SpeedViews views, DeltaWriter writer, SpeedWatermarks watermarks) {
        this.views = requireNonNull(views, "views is null");
        this.writer = requireNonNull(writer, "writer is null");
        this.watermarks = requireNonNull(watermarks, "watermarks is null");
    }

    /** The aggregate's new absolute value, to be written before the next commit. */
    public void stage(AggregateKey key, Metrics metrics) {
        deltas.put(key, metrics);
    }

    public boolean isStaged(AggregateKey key) {
        return deltas.containsKey(key);
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

    /** The partition's new total of dead letters for the reason. */
    public void stageDeadLetters(RejectionReason reason, long total) {
        deadLetterTotals.put(reason, total);
    }

    /**
     * A record, valid or not, has been fully handled. The first record of a partition at offset 0 means
     * this application sees the partition from its very beginning: nothing was ingested before it that
     * the speed rows could miss, so they cover all ingest time up to the watermark.
     */
    public void applied(Instant ingestTime, long offset) {
        if (firstApplied == null) {
            firstApplied = offset == 0 ? Instant.EPOCH : ingestTime;
        }
        lastOffset = Math.max(lastOffset, offset);
        if (lastApplied == null || ingestTime.isAfter(lastApplied)) {
            lastApplied = ingestTime;
        }
    }

    /** Kafka Streams calls this before every commit of the task: pay every staged write, then advance the watermark. */
    @Override
    public void flushCache() {
        writeThrough();
    }

    @Override
    public void flush() {
        writeThrough();
    }

    private void writeThrough() {
        if (lastApplied == null && deltas.isEmpty()) {
            return;
        }
        List<DeltaWriter.Write> writes = new ArrayList<>(deltas.size() + productsToRecord.size() + deadLetterTotals.size());
        for (Map.Entry<AggregateKey, Metrics> entry : deltas.entrySet()) {
            SpeedDelta delta = entry.getKey().toDelta(entry.getValue());
            writes.add(new DeltaWriter.Write("speed row " + entry.getKey(), () -> views.upsert(delta)));
        }
        for (String product : productsToRecord) {
            writes.add(new DeltaWriter.Write("product " + product, () -> views.recordProduct(product)));
        }
        for (Map.Entry<RejectionReason, Long> entry : deadLetterTotals.entrySet()) {
            DeadLetterCount count = new DeadLetterCount(partition, entry.getKey(), entry.getValue());
            writes.add(new DeltaWriter.Write("dead-letter count " + count, () -> {
                views.saveDeadLetters(count, lastOffset);
                return CompletableFuture.completedFuture(null);
            }));
        }
        writer.writeAll(writes);
        deltas.clear();
        productsToRecord.clear();
        deadLetterTotals.clear();
        if (lastApplied != null) {
            watermarks.applied(partition, firstApplied, lastApplied);
            firstApplied = null;
            lastApplied = null;
        }
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
        return NAME;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        partition = context.taskId().partition();
        context.register(root, (key, value) -> {
            throw new IllegalStateException(NAME + " has no changelog to restore from");
        });
        open = true;
    }

    /** Dropping what is staged is right: a clean close commits (and so writes) first; a dirty one reprocesses. */
    @Override
    public void close() {
        deltas.clear();
        productsToRecord.clear();
        deadLetterTotals.clear();
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
