package io.lambdaplatform.viewstore;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * A partition of a batch version and where its rows are: under the version that wrote them, {@code storedIn}. A full
 * recompute writes every partition of its version itself; an incremental run writes only the partitions its new events
 * touch and shares the rest with its base version ({@link BatchViews#share}), so their rows stay where an older version
 * wrote them. Rows, once written, never change, so a stored partition can be cached by this key across versions.
 */
public record StoredPartition(ViewPartition partition, long storedIn) implements Serializable {

    public StoredPartition {
        requireNonNull(partition, "partition is null");
        if (storedIn < 1) {
            throw new IllegalArgumentException("storedIn must be a version number: " + storedIn);
        }
    }
}
