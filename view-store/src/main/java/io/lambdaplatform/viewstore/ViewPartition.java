package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.ViewKey;

import java.io.Serializable;
import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One Cassandra partition of a batch view: the windows of one product at one granularity that start in one
 * {@link PartitionSpan}. The unit in which versions share rows ({@link BatchViews#share}).
 */
public record ViewPartition(String productId, Granularity granularity, Instant start) implements Serializable {

    public ViewPartition {
        requireNonNull(productId, "productId is null");
        requireNonNull(granularity, "granularity is null");
        requireNonNull(start, "start is null");
        if (!PartitionSpan.partitionStart(granularity, start).equals(start)) {
            throw new IllegalArgumentException("Not the start of a " + granularity.label() + " partition: " + start);
        }
    }

    /** The partition that holds the row of this key. */
    public static ViewPartition of(ViewKey key) {
        Granularity granularity = key.window().granularity();
        return new ViewPartition(key.productId(), granularity, PartitionSpan.partitionStart(granularity, key.window().start()));
    }

    /** The first instant after the partition's windows' starts. */
    public Instant end() {
        return start.plus(PartitionSpan.of(granularity));
    }

    /** Whether a window starting in {@code [from, to)} can be in this partition. */
    public boolean overlaps(Instant from, Instant to) {
        return start.isBefore(to) && end().isAfter(from);
    }
}
