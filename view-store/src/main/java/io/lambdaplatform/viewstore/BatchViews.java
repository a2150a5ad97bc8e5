package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The versioned batch views and the one pointer the serving layer reads.
 *
 * <p>Life of a version: {@link #begin} allocates it, executors write its rows through {@link #writer},
 * and {@link #publish} flips the pointer in a single write once every row is in. Until then no reader
 * sees it; a crashed run leaves an unpublished version that {@link #retainLatest} removes later.
 */
public interface BatchViews {

    /** The version readers see now, or empty before the first publication. */
    Optional<BatchVersion> current();

    /** Every version still stored, published or not, newest first. */
    List<BatchVersion> versions();

    /** Allocates the next version number for a run with this cutoff. Never hands out a number twice. */
    BatchVersion begin(Instant cutoff, Instant computedAt);

    /** A writer for the rows of an unpublished version; one per task, closed when the task ends. */
    BatchViewWriter writer(long version);

    /** Marks the version complete and points readers at it, atomically. */
    BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt);

    /**
     * Points readers back at the newest published version older than the current one.
     *
     * @return the version now current, or empty when there is no older published version (nothing changes)
     */
    Optional<BatchVersion> rollback();

    /**
     * Removes the rows and records of versions no longer needed: published versions beyond the newest
     * {@code keep} (never the current one) and unpublished versions older than the newest published one.
     *
     * @return the versions removed
     */
    List<BatchVersion> retainLatest(int keep);

    /** The rows of a version for one product and granularity whose window starts in {@code [from, to)}. */
    List<ViewRow> read(long version, String productId, Granularity granularity, Instant from, Instant to);

    /** The products a version has rows for. */
    Set<String> products(long version);
}
