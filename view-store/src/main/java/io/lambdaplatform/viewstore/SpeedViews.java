package io.lambdaplatform.viewstore;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The speed layer's rows, its progress per partition, the holes it found in the log and its dead-letter
 * counts. Every write is ordered by what it holds, not by when it arrives: of two writes of the same row
 * the one with the higher version stays, whichever lands last.
 */
public interface SpeedViews {

    /**
     * The retention of speed rows that never expire (Kappa mode, where they are the whole answer): written without a
     * TTL, and reported as a retention of about 2,700 years, so that coverage arithmetic needs no special case.
     */
    Duration KEPT_FOREVER = Duration.ofDays(1_000_000);

    /**
     * Stores the row unless a write of the same row with a higher version is stored: writing the same row
     * twice leaves the same row. Completes exceptionally with {@link ViewStoreException} when the write fails.
     */
    CompletionStage<Void> write(SpeedRow row);

    /**
     * Stores rows of one product, each as {@link #write(SpeedRow)} would, in as few requests as the store allows
     * (one per partition of the table, in Cassandra). Completes once every row is stored; exceptionally when any
     * write failed, in which case some of the rows may be stored (writing them again is harmless).
     */
    default CompletionStage<Void> write(List<SpeedRow> rows) {
        return CompletableFuture.allOf(rows.stream().map(row -> write(row).toCompletableFuture()).toArray(CompletableFuture[]::new));
    }

    /** Stores the delta as the one row of source partition 0 (see {@link SpeedRow#of}); for fixtures and benchmarks. */
    default CompletionStage<Void> upsert(SpeedDelta delta) {
        return write(SpeedRow.of(delta));
    }

    /**
     * The deltas of one product whose 5-minute window starts in {@code [from, to)} and whose ingest bucket starts at or
     * after {@code ingestFrom}: the rows of every source partition and their corrections added up per (window, ingest
     * bucket), ordered by window and bucket. Rows of earlier ingest buckets are not read.
     */
    List<SpeedDelta> read(String productId, Instant from, Instant to, Instant ingestFrom);

    /**
     * {@link #read(String, Instant, Instant, Instant)} for a caller that needs only the rows ingested up to
     * {@code ingestUntil} (for example the speed watermark or now, whichever is later): a store may then leave out rows
     * ingested after it, and save the reads that find out where the product's rows are. Every row ingested in
     * {@code [ingestFrom, ingestUntil]} is read; this default reads the later ones too.
     */
    default List<SpeedDelta> read(String productId, Instant from, Instant to, Instant ingestFrom, Instant ingestUntil) {
        return read(productId, from, to, ingestFrom);
    }

    /** {@link #read(String, Instant, Instant, Instant)} over all ingest buckets. */
    default List<SpeedDelta> read(String productId, Instant from, Instant to) {
        return read(productId, from, to, Instant.EPOCH);
    }

    /** Records that the product has speed rows, for product suggestions. Idempotent. */
    CompletionStage<Void> recordProduct(String productId);

    /** Products with live speed rows. */
    Set<String> products();

    /** The first {@code limit} products with live speed rows that start with {@code prefix}, sorted; reads no other product. */
    default List<String> products(String prefix, int limit) {
        return products().stream().filter(product -> product.startsWith(prefix)).sorted().limit(limit).toList();
    }

    /** Stores a task's progress unless the stored one of the same (source partition, task) has a later watermark. */
    void saveProgress(SpeedTaskProgress progress);

    /** Stores the progress of a whole source partition (see {@link SpeedTaskProgress#of}); for fixtures and benchmarks. */
    default void saveProgress(SpeedProgress progress) {
        saveProgress(SpeedTaskProgress.of(progress));
    }

    /** What each product task reported, per source partition and task. */
    List<SpeedTaskProgress> taskProgress();

    /** The progress of each source partition every task has reported on (see {@link SpeedTaskProgress#combine}). */
    default List<SpeedProgress> progress() {
        return SpeedTaskProgress.combine(taskProgress());
    }

    /** Records records the speed layer never read because they were deleted from the log first. Idempotent. */
    void recordHole(IngestHole hole);

    /** Every recorded hole of the speed layer, by partition and offset. */
    List<IngestHole> holes();

    /**
     * Stores the total count of dead letters of one partition and reason, counted up to the record at
     * {@code offset}; a total counted up to a later offset stays.
     */
    void saveDeadLetters(DeadLetterCount count, long offset);

    List<DeadLetterCount> deadLetters();

    /**
     * Whether the speed rows an earlier release wrote to {@link ViewSchema#SPEED_ROWS} are in the rows {@link #read}
     * returns, and from which ingest time on: empty until {@link SpeedRowsUpgrade} copied them. Once present it stays.
     */
    Optional<LegacyRowsCopy> legacyRowsCopy();

    /** Records that the earlier release's rows are copied; only {@link SpeedRowsUpgrade} calls it, after the last row. */
    void recordLegacyRowsCopy(LegacyRowsCopy copy);
}
