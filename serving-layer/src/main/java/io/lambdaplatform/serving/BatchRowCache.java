package io.lambdaplatform.serving;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.viewstore.BatchViews;
import io.lambdaplatform.viewstore.StoredPartition;
import io.lambdaplatform.viewstore.ViewRow;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
/**
 * The rows of published batch versions, which are written once and never change, kept in memory per Cassandra
 * partition: a partition is read once, whole, and every later request of any range inside it is answered from memory.
 * A version's partitions of one product and granularity, and where each one's rows are stored
 * ({@link BatchViews#partitions}), are read once too. Rows are keyed by where they are stored ({@link StoredPartition}),
 * so a flip or a rollback of the pointer reads the rows of the version it now shows, never another's, and the
 * partitions a new version shares with the previous one stay in memory across the flip. Bounded by the heap the rows
 * take ({@code lambda.serving.batch-cache.max-bytes}, {@link #weight}) and by {@value #MAX_LAYOUTS} layouts; the least
 * used go first. Thread-safe; concurrent requests for the same partition wait for one read.
 */
public final class BatchRowCache {

    /** Layouts (version, product, granularity) held at most: a few dozen bytes each. */
    static final int MAX_LAYOUTS = 200_000;

    private record LayoutKey(long version, String productId, Granularity granularity) {}

    private final Cache<LayoutKey, List<StoredPartition>> layouts;
    private final Cache<StoredPartition, List<ViewRow>> partitions;

    /** About what a row takes on the heap besides its sketches: key, window, decimals. */
    static final int ROW_BYTES = 200;

    /** @param maxBytes heap the rows may take, by {@link #weight}; 0 holds nothing (every read goes to the store) */
    public BatchRowCache(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative: " + maxBytes);
        }
        this.layouts = Caffeine.newBuilder().maximumSize(maxBytes == 0 ? 0 : MAX_LAYOUTS).recordStats().build();
        this.partitions = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .<StoredPartition, List<ViewRow>>weigher((key, rows) -> {
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
        CaffeineCacheMetrics.monitor(meters, layouts, "batch-layouts");
        return this;
    }

    /** The rows of a published {@code version} for one product and granularity whose window starts in {@code [from, to)}. */
    public List<ViewRow> read(BatchViews batch, long version, String productId, Granularity granularity, Instant from, Instant to) {
        List<ViewRow> rows = new ArrayList<>();
        List<StoredPartition> layout = layouts.get(new LayoutKey(version, productId, granularity),
                key -> List.copyOf(batch.partitions(version, productId, granularity)));
        for (StoredPartition stored : layout) {
            if (!stored.partition().overlaps(from, to)) {
                continue;
            }
            List<ViewRow> whole = partitions.get(stored,
                    key -> List.copyOf(batch.read(stored, stored.partition().start(), stored.partition().end())));
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
        return weight(row.metrics());
    }

    /** The heap the metrics of one window take, about, as {@link #weight(ViewRow)} counts a row's. */
    static long weight(Metrics metrics) {
        return ROW_BYTES + metrics.knownSketches()
                .map(sketches -> 2L * (sketches.users().bytes().remaining() + sketches.durations().bytes().remaining()))
                .orElse(0L);
    }

    /** Partitions held now (after pending evictions); for tests. */
    long partitionCount() {
        partitions.cleanUp();
        return partitions.estimatedSize();
    }
}
