package io.lambdaplatform.serving;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.PartitionSpan;
import io.lambdaplatform.viewstore.ViewRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
/**
 * The rows of published batch versions, which are written once and never change, kept in memory per Cassandra
 * partition (version, product, granularity, partition start): a partition is read once, whole, and every later
 * request of any range inside it is answered from memory. The version is part of the key, so a flip or a rollback
 * of the pointer reads the rows of the version it now shows, never another's. Bounded by the heap the rows take
 * ({@code lambda.serving.batch-cache.max-bytes}, {@link #weight}); the least used partitions go first. Thread-safe; concurrent
 * requests for the same partition wait for one read.
 */
public final class BatchRowCache {

    private record PartitionKey(long version, String productId, Granularity granularity, Instant partitionStart) {}

    private final Cache<PartitionKey, List<ViewRow>> partitions;

    /** About what a row takes on the heap besides its sketches: key, window, decimals. */
    static final int ROW_BYTES = 200;

    /** @param maxBytes heap the rows may take, by {@link #weight}; 0 holds nothing (every read goes to the store) */
    public BatchRowCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        this.partitions = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<PartitionKey, List<ViewRow>>weigher((key, rows) -> {
                    long bytes = ROW_BYTES;
                    for (ViewRow row : rows) {
                        bytes += weight(row);
                    }
                    return (int) Math.min(Integer.MAX_VALUE, bytes);
                })
                .recordStats()
                .build();
    }

    /** Reports hits, misses, evictions and size as {@code cache.*{cache=batch-rows}}. */
    public BatchRowCache bindTo(MeterRegistry meters) {
        CaffeineCacheMetrics.monitor(meters, partitions, "batch-rows");
        return this;
    }

    /** The rows of a published {@code version} for one product and granularity whose window starts in {@code [from, to)}. */
    public List<ViewRow> read(BatchViews batch, long version, String productId, Granularity granularity, Instant from, Instant to) {
        List<ViewRow> rows = new ArrayList<>();
        for (Instant partition : PartitionSpan.partitionsBetween(granularity, from, to)) {
            List<ViewRow> whole = partitions.get(new PartitionKey(version, productId, granularity, partition),
                    key -> List.copyOf(batch.read(version, productId, granularity, partition, partition.plus(PartitionSpan.of(granularity)))));
            for (ViewRow row : whole) {
                Instant start = row.key().window().start();
                if (!start.isBefore(from) && start.isBefore(to)) {
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /**
     * The heap a row takes, about: {@value #ROW_BYTES} bytes and twice its serialized sketches (the bytes, and the heap
     * sketch built from them when a request first merges or queries it).
     */
    static long weight(ViewRow row) {
        return ROW_BYTES + row.metrics().knownSketches()
                .map(sketches -> 2L * (sketches.users().bytes().remaining() + sketches.durations().bytes().remaining()))
                .orElse(0L);
    }

    /** Partitions held now (after pending evictions); for tests. */
    long partitionCount() {
        partitions.cleanUp();
        return partitions.estimatedSize();
    }
}
