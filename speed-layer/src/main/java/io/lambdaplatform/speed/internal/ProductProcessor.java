package io.lambdaplatform.speed.internal;

import io.lambdaplatform.model.Event;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.IngestBuckets;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;
import io.lambdaplatform.speed.SpeedMetrics;
import io.lambdaplatform.viewstore.SpeedRow;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static java.util.Objects.requireNonNull;

/**
 * The product task of one partition of the repartition topic: every copy of an event of its products
 * arrives here, from whichever source partition it was read. The first copy (by ingest time, source
 * partition, source offset) within the de-duplication horizon is counted; a copy that arrives after a
 * later one was counted takes its place, and the counted one is taken back by a correction row. Counted
 * copies are added to the aggregate of (source partition, ingest bucket, product, 5-minute window), which
 * only that source partition's records update, in offset order; so each row is written with the offset
 * of the last record folded into it as its version. Markers of a source partition become its progress.
 */
public final class ProductProcessor implements Processor<byte[], byte[], Void, Void> {

    private static final Logger LOG = LoggerFactory.getLogger(ProductProcessor.class);
    /** At most this many aggregates are kept in {@link #aggregatesRead}; past it the copy starts empty again. */
    static final int MAX_AGGREGATES_READ = 50_000;
    /**
     * At most this many rows are {@link #open} at once; past it they are settled before the commit. An open row holds a
     * KLL sketch and an HLL union on the heap, 2–6 KB: at most 20–60 MB per task.
     */
    static final int MAX_OPEN_ROWS = 10_000;

    private final IngestBuckets ingestBuckets;
    private final long dedupHorizonMillis;
    private final Duration evictionGrace;
    private final CommitPace pace;
    private final SpeedMetrics metrics;

    private WindowStore<String, CountedCopy> counted;
    private KeyValueStore<AggregateKey, SourceAggregate> aggregates;
    private KeyValueStore<Integer, Long> sourceIngest;
    private PendingWrites pending;
    /**
     * The entries of {@link #sourceIngest} read or written since {@link #init} (which Kafka Streams calls again after it
     * restored or rolled back the store), kept equal to it by every put: saves a store read per record.
     */
    private final Map<Integer, Long> sourceIngestRead = new HashMap<>();
    /**
     * Aggregates read from or written to {@link #aggregates} since {@link #init}, equal to what the store holds for
     * them (every put and delete goes to both): a row updated again is read from here, not through the record cache's
     * tree and RocksDB. Bounded by {@link #MAX_AGGREGATES_READ}.
     */
    private final Map<AggregateKey, SourceAggregate> aggregatesRead = new HashMap<>();
    /**
     * The rows updated since the last commit: each one's aggregate so far (the stored one and the copies counted since, in
     * an accumulator that updates the sketches in place) and the source offset of the last copy. {@link #settle} puts them
     * into {@link #aggregates} and stages them for Cassandra just before the commit, so a row that many copies update
     * between two commits is serialized, stored and logged to the changelog once. The store has no record cache: this
     * map does what the cache did, without serializing every update.
     */
    private final Map<AggregateKey, OpenRow> open = new HashMap<>();
    /** The ingest time of the last event processed, which sets the {@link CommitPace}. */
    private Instant lastIngest;

    private static final class OpenRow {
        final Metrics.Accumulator metrics = new Metrics.Accumulator();
        long lastOffset;
        /** A copy was added: the row is settled. */
        boolean changed;
    }

    public ProductProcessor(IngestBuckets ingestBuckets, Duration dedupHorizon, Duration evictionGrace, CommitPace pace, SpeedMetrics metrics) {
        this.ingestBuckets = requireNonNull(ingestBuckets, "ingestBuckets is null");
        this.dedupHorizonMillis = dedupHorizon.toMillis();
        this.evictionGrace = requireNonNull(evictionGrace, "evictionGrace is null");
        this.pace = requireNonNull(pace, "pace is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.counted = context.getStateStore(SpeedStores.COUNTED_COPIES);
        this.aggregates = context.getStateStore(SpeedStores.AGGREGATES);
        this.sourceIngest = context.getStateStore(SpeedStores.SOURCE_INGEST);
        this.pending = context.getStateStore(PendingWrites.PRODUCT_NAME);
        this.sourceIngestRead.clear();
        this.aggregatesRead.clear();
        this.open.clear();
        pending.beforeWrites(this::settle);
        context.schedule(ingestBuckets.width(), PunctuationType.STREAM_TIME, streamTime -> evictFinishedBuckets());
        this.lastIngest = null;
        pace.schedule(context, () -> lastIngest);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        ByProduct message = ByProduct.decode(record.value());
        if (message instanceof ByProduct.SourcedEvent sourced) {
            apply(sourced);
            advance(sourced.sourcePartition(), sourced.ingestTime());
            // Events only: an idle partition's markers are always fresh, and would keep the pace while a backlog drains.
            lastIngest = sourced.ingestTime();
        }
        else {
            ByProduct.Marker marker = (ByProduct.Marker) message;
            advance(marker.sourcePartition(), marker.watermark());
            pending.stageProgress(marker.sourcePartition(), marker.watermark(), marker.coveredSince(), marker.logBegins());
        }
    }

    private void apply(ByProduct.SourcedEvent copy) {
        Event event = copy.event();
        String identity = event.identity().asKey();
        long ingestMillis = copy.ingestTime().toEpochMilli();
        KeyValue<Long, CountedCopy> first = countedCopy(identity, ingestMillis);
        if (first != null && !copy.isBefore(first.value)) {
            metrics.duplicateDropped();
            return;
        }
        Instant bucket = ingestBuckets.bucketStart(copy.ingestTime());
        AggregateKey key = new AggregateKey(copy.sourcePartition(), bucket, ViewKey.of(event, Granularity.FIVE_MINUTES));
        OpenRow row = open(key);
        try {
            row.metrics.add(event);
        }
        catch (ArithmeticException e) {
            metrics.aggregateOverflow();
            LOG.error("Event {} at offset {} of partition {} overflows the aggregate {}: not counted in the speed rows ({})",
                    identity, copy.sourceOffset(), copy.sourcePartition(), key, e.getMessage());
            return;
        }
        row.lastOffset = copy.sourceOffset();
        row.changed = true;
        if (first != null) {
            retract(first.value, copy);
            counted.put(identity, null, first.key);
        }
        // A correction takes back only the exact measures: the copy is remembered without its sketches.
        CountedCopy countedNow = new CountedCopy(copy.ingestTime(), copy.sourcePartition(), copy.sourceOffset(), bucket, key.viewKey(),
                Metrics.exactOf(event));
        counted.put(identity, countedNow, ingestMillis);
        pending.stageProduct(event.productId(), copy.ingestTime());
        metrics.eventApplied();
    }

    /** The row's open state, from what the store holds when it is not open yet. */
    private OpenRow open(AggregateKey key) {
        OpenRow row = open.get(key);
        if (row == null) {
            if (open.size() >= MAX_OPEN_ROWS) {
                settle();
            }
            row = new OpenRow();
            SourceAggregate stored = aggregate(key);
            if (stored != null) {
                row.metrics.add(stored.metrics());
                row.lastOffset = stored.lastOffset();
            }
            open.put(key, row);
        }
        return row;
    }

    /**
     * Puts every changed open row into the store (its changelog record is sent at once: the store has no cache) and
     * stages its new value for Cassandra. {@link PendingWrites} runs this before every commit, before it writes.
     */
    private void settle() {
        for (Map.Entry<AggregateKey, OpenRow> entry : open.entrySet()) {
            OpenRow row = entry.getValue();
            if (!row.changed) {
                continue;
            }
            AggregateKey key = entry.getKey();
            SourceAggregate updated = new SourceAggregate(row.metrics.result(), row.lastOffset);
            aggregates.put(key, updated);
            remember(key, updated);
            pending.stage(SpeedRow.aggregate(key.viewKey(), key.ingestBucket(), key.sourcePartition(), updated.metrics(), updated.lastOffset()));
        }
        open.clear();
    }

    private SourceAggregate aggregate(AggregateKey key) {
        SourceAggregate known = aggregatesRead.get(key);
        if (known != null) {
            return known;
        }
        SourceAggregate stored = aggregates.get(key);
        if (stored != null) {
            remember(key, stored);
        }
        return stored;
    }

    private void remember(AggregateKey key, SourceAggregate aggregate) {
        if (aggregatesRead.size() >= MAX_AGGREGATES_READ && !aggregatesRead.containsKey(key)) {
            aggregatesRead.clear();
        }
        aggregatesRead.put(key, aggregate);
    }

    /** The copy counted within the horizon either side of {@code ingestMillis}, with the time it is stored under. */
    private KeyValue<Long, CountedCopy> countedCopy(String identity, long ingestMillis) {
        long from = Math.max(0, ingestMillis - dedupHorizonMillis + 1);
        long to = ingestMillis > Long.MAX_VALUE - dedupHorizonMillis ? Long.MAX_VALUE : ingestMillis + dedupHorizonMillis - 1;
        try (WindowStoreIterator<CountedCopy> copies = counted.fetch(identity, from, to)) {
            return copies.hasNext() ? copies.next() : null;
        }
    }

    /** The counted copy was not the first: write a correction that takes it back out of its row. */
    private void retract(CountedCopy counted, ByProduct.SourcedEvent earlier) {
        pending.stage(SpeedRow.correction(counted.viewKey(), counted.ingestBucket(), counted.sourcePartition(), counted.metrics(),
                earlier.sourcePartition(), earlier.sourceOffset()));
        metrics.copyRetracted();
        LOG.debug("Copy of {} at offset {} of partition {} replaces the one counted from offset {} of partition {}",
                earlier.event().identity().asKey(), earlier.sourceOffset(), earlier.sourcePartition(), counted.sourceOffset(),
                counted.sourcePartition());
    }

    private void advance(int sourcePartition, Instant ingestTime) {
        Long known = sourceIngest(sourcePartition);
        if (known == null || ingestTime.toEpochMilli() > known) {
            sourceIngest.put(sourcePartition, ingestTime.toEpochMilli());
            sourceIngestRead.put(sourcePartition, ingestTime.toEpochMilli());
        }
    }

    private Long sourceIngest(int sourcePartition) {
        Long known = sourceIngestRead.get(sourcePartition);
        if (known == null && !sourceIngestRead.containsKey(sourcePartition)) {
            known = sourceIngest.get(sourcePartition);
            sourceIngestRead.put(sourcePartition, known);
        }
        return known;
    }

    /**
     * A source partition's ingest times only grow, so once its ingest time is past a bucket's end (plus the
     * grace) no record of it will update that bucket's aggregates again. Written ones leave the store, which
     * so stays small; one still staged for writing stays until a later round.
     */
    private void evictFinishedBuckets() {
        List<AggregateKey> finished = new ArrayList<>();
        try (KeyValueIterator<AggregateKey, SourceAggregate> all = aggregates.all()) {
            while (all.hasNext()) {
                AggregateKey key = all.next().key;
                Long sourceMillis = sourceIngest(key.sourcePartition());
                if (sourceMillis == null) {
                    continue;
                }
                Instant horizon = ingestBuckets.bucketStart(Instant.ofEpochMilli(sourceMillis).minus(evictionGrace));
                if (key.ingestBucket().isBefore(horizon) && !pending.isStaged(key) && !open.containsKey(key)) {
                    finished.add(key);
                }
            }
        }
        for (AggregateKey key : finished) {
            aggregates.delete(key);
            aggregatesRead.remove(key);
        }
    }

    /** Kafka Streams closes the processor before it rolls its stores back; what the fields hold would be stale. */
    @Override
    public void close() {
        sourceIngestRead.clear();
        aggregatesRead.clear();
        open.clear();
    }
}
