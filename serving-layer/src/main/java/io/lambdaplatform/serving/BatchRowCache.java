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
 * of the pointer reads the rows of the version it now shows, never another's. Bounded by the number of rows held
 * ({@code lambda.serving.batch-cache.max-rows}); the least used partitions go first. Thread-safe; concurrent
 * requests for the same partition wait for one read.
 */
public final class BatchRowCache {

    private record PartitionKey(long version, String productId, Granularity granularity, Instant partitionStart) {}

    private final Cache<PartitionKey, List<ViewRow>> partitions;

    /** @param maxRows rows held at most; 0 holds nothing (every read goes to the store) */
    public BatchRowCache(long maxRows) {
        if (maxRows < 0) {
            throw new IllegalArgumentException("maxRows must not be negative: " + maxRows);
        }
        this.partitions = Caffeine.newBuilder()
                .maximumWeight(maxRows)
                .<PartitionKey, List<ViewRow>>weigher((key, rows) -> rows.size() + 1)
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

    /** Partitions held now (after pending evictions); for tests. */
    long partitionCount() {
        partitions.cleanUp();
        return partitions.estimatedSize();
    }
}
