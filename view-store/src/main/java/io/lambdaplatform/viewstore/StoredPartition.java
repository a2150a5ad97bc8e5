package io.lambdaplatform.viewstore;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * A partition of a batch version and where its rows are. {@code storedIn} is the version that wrote the partition
 * whole. {@code overlayIn}, unless {@link #NO_OVERLAY}, is a later version that wrote the windows of the partition
 * changed since: those rows replace the stored ones of the same window, and add the windows the stored rows lack.
 *
 * <p>A full recompute writes every partition of its version whole. An incremental run writes only the windows its new
 * events change, as an overlay on each partition they touch, and shares every other partition with its base version
 * ({@link BatchViews#extend}). Rows, once written, never change, so a stored partition can be cached by this key across
 * versions.
 */
public record StoredPartition(ViewPartition partition, long storedIn, long overlayIn) implements Serializable {

    /** {@link #overlayIn} of a partition whose stored rows are all of it. */
    public static final long NO_OVERLAY = 0;

    public StoredPartition {
        requireNonNull(partition, "partition is null");
        if (storedIn < 1) {
            throw new IllegalArgumentException("storedIn must be a version number: " + storedIn);
        }
        if (overlayIn != NO_OVERLAY && overlayIn <= storedIn) {
            throw new IllegalArgumentException("An overlay must be newer than the rows it overlays: " + overlayIn + " on " + storedIn);
        }
    }

    /** A partition written whole by {@code storedIn}. */
    public StoredPartition(ViewPartition partition, long storedIn) {
        this(partition, storedIn, NO_OVERLAY);
    }

    public boolean hasOverlay() {
        return overlayIn != NO_OVERLAY;
    }

    /** The same stored rows under the overlay of {@code version}, which holds every window changed since they were written. */
    public StoredPartition overlaidBy(long version) {
        return new StoredPartition(partition, storedIn, version);
    }
}
