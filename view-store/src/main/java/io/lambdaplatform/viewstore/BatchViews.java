package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The versioned batch views and the one pointer the serving layer reads.
 *
 * <p>Life of a version: {@link #begin} allocates it, executors write its rows through {@link #writer} (an
 * incremental run {@link #extend extends} the version it builds on and writes only the windows its new events change),
 * and {@link #publish} flips the pointer in a single write once every row is in. Until then no reader sees it; a
 * crashed run leaves an unpublished version that {@link #retainLatest} removes later.
 *
 * <p>One writer at a time: a batch run, import or rollback first takes the {@link #takeLease lease}, renews it
 * while it works and releases it at the end. The pointer only moves by compare-and-set, so a writer that lost
 * its lease can never undo another's publication.
 */
public interface BatchViews {

    /** What {@link #publish} expects as the current version when no version was published yet. */
    long NO_VERSION = 0;

    /** The version readers see now, or empty before the first publication. */
    Optional<BatchVersion> current();

    /** Every version still stored, published or not, newest first. */
    List<BatchVersion> versions();

    /** Allocates the next version number for a run with this cutoff. Never hands out a number twice. */
    BatchVersion begin(Instant cutoff, Instant computedAt);

    /** A writer for the rows of an unpublished version; one per task, closed when the task ends. */
    BatchViewWriter writer(long version);

    /**
     * Points readers at the version if the pointer still shows {@code expectedCurrent} ({@link #NO_VERSION}: no
     * pointer yet), then marks the version record published.
     *
     * @throws BatchPointerMovedException when the pointer shows another version: nothing changed
     */
    BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt, long expectedCurrent);

    /** {@link #publish(long, long, long, Instant, long)} against the pointer as it is now. */
    default BatchVersion publish(long version, long viewRows, long eventCount, Instant publishedAt) {
        return publish(version, viewRows, eventCount, publishedAt, current().map(BatchVersion::version).orElse(NO_VERSION));
    }

    /**
     * Points readers back at the newest published version older than the current one.
     *
     * @return the version now current, or empty when there is no older published version (nothing changes)
     * @throws BatchPointerMovedException when the pointer moved while rolling back: nothing changed
     */
    Optional<BatchVersion> rollback();

    /**
     * Removes the rows and records of versions no longer needed: published versions beyond the newest
     * {@code keep} and unpublished versions, in both cases only if older than the current one. The current
     * version and every newer one (rolled back from, or being written and published) stay, and so do the rows of a
     * removed version that a version still stored reads ({@link #extend}).
     *
     * @return the versions removed
     */
    List<BatchVersion> retainLatest(int keep);

    /**
     * Lays out {@code version}, begun and not yet published, as {@code base} changed in the partitions {@code touched}:
     * every other partition of {@code base} is shared, read where its rows are stored; a touched partition that
     * {@code base} has keeps its stored rows under an overlay of {@code version}; a touched partition {@code base}
     * lacks is {@code version}'s own. The caller then writes, through {@link #rowWriter}, the rows of each touched
     * partition that differ from the stored ones (every window changed since they were stored:
     * {@link #changedOrAt}), or all rows of a new partition. Every product of {@code base} and of {@code touched}
     * becomes a product of {@code version}. This is how an incremental run publishes a complete version while it writes
     * only what changed. Rows are never changed once written, so both versions stay immutable, and
     * {@link #retainLatest} keeps rows as long as any version that is kept reads them.
     */
    void extend(long version, long base, Set<ViewPartition> touched);

    /** A writer of a version's rows only, laid out by {@link #extend}: one per task, closed when the task ends. */
    BatchViewWriter rowWriter(long version);

    /**
     * What an incremental run merges its new rows of some partitions with: per partition, every row of the version's
     * overlay on it (the windows changed since its rows were stored) and the version's rows at the given windows;
     * nothing for a partition the version has no rows in. In no particular order.
     */
    List<ViewRow> changedOrAt(long version, Map<ViewPartition, ? extends Collection<Instant>> windows);

    /** Where a version's rows of one product and granularity are: one entry per partition that holds rows, oldest first. */
    List<StoredPartition> partitions(long version, String productId, Granularity granularity);

    /**
     * The rows of one stored partition whose window starts in {@code [from, to)}, by window: the stored rows, those of
     * its overlay replacing them.
     */
    List<ViewRow> read(StoredPartition partition, Instant from, Instant to);

    /** The rows of a version for one product and granularity whose window starts in {@code [from, to)}, by window. */
    default List<ViewRow> read(long version, String productId, Granularity granularity, Instant from, Instant to) {
        List<ViewRow> rows = new ArrayList<>();
        for (StoredPartition stored : partitions(version, productId, granularity)) {
            if (stored.partition().overlaps(from, to)) {
                rows.addAll(read(stored, from, to));
            }
        }
        return rows;
    }

    /**
     * Every row of a version for some products, all granularities and windows, in no particular order.
     */
    List<ViewRow> rows(long version, Collection<String> productIds);

    /** The products a version has rows for. */
    Set<String> products(long version);

    /** The first {@code limit} products of a version that start with {@code prefix}, sorted; reads no other product. */
    default List<String> products(long version, String prefix, int limit) {
        return products(version).stream().filter(product -> product.startsWith(prefix)).sorted().limit(limit).toList();
    }

    /**
     * Takes the lease for {@code ttl} unless someone holds it.
     *
     * @throws BatchLeaseHeldException naming the holder when someone does
     */
    BatchLease takeLease(String holder, Instant now, Duration ttl);

    /** Extends the lease by {@code ttl} from now; false when its holder lost it (expired, or taken by another). */
    boolean renewLease(BatchLease lease, Instant now, Duration ttl);

    /** Gives the lease up if its holder still has it; does nothing otherwise. */
    void releaseLease(BatchLease lease);

    /** Records how a version was computed; written before it is published, removed with it. */
    void recordBuild(BatchBuild build);

    /** How a version was computed, or empty for a version written before versions recorded it. */
    Optional<BatchBuild> build(long version);

    /** Records holes the batch layer accepted: they are in the master dataset's past forever. Idempotent. */
    void recordHoles(List<IngestHole> holes);

    /** Every hole recorded, by partition and offset. */
    List<IngestHole> holes();
}
