package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.ViewKey;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A hand-written {@link SpeedViews} in memory, for unit tests of the layers. Thread-safe. Like Cassandra
 * it keeps, of two writes of the same row, the one with the higher version (on a tie, the later one). It
 * can be told to fail writes, to test what a layer does while Cassandra is down.
 */
public final class InMemorySpeedViews implements SpeedViews {

    private record RowKey(ViewKey key, Instant ingestBucket, int sourcePartition, String correction) {}

    private record Versioned<T>(T value, long version) {}

    private final Map<RowKey, SpeedRow> rows = new TreeMap<>(Comparator.comparing((RowKey k) -> k.key())
            .thenComparing(RowKey::ingestBucket).thenComparingInt(RowKey::sourcePartition).thenComparing(RowKey::correction));
    private final Set<String> products = new TreeSet<>();
    private final Map<String, SpeedTaskProgress> progress = new TreeMap<>();
    private final Map<String, IngestHole> holes = new TreeMap<>();
    private final Map<String, Versioned<DeadLetterCount>> deadLetters = new TreeMap<>();
    private volatile boolean unavailable;
    private LegacyRowsCopy legacyRowsCopy = LegacyRowsCopy.NOTHING_TO_COPY;

    /** Speed views of a keyspace an earlier release wrote: no {@link LegacyRowsCopy} until {@link SpeedRowsUpgrade} ran. */
    public static InMemorySpeedViews upgradedFromEarlierRelease() {
        InMemorySpeedViews views = new InMemorySpeedViews();
        views.legacyRowsCopy = null;
        return views;
    }

    /** While set, every call fails with {@link ViewStoreUnavailableException}, like Cassandra down. */
    public void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    @Override
    public synchronized CompletionStage<Void> write(SpeedRow row) {
        if (unavailable) {
            return CompletableFuture.failedFuture(down());
        }
        rows.merge(new RowKey(row.key(), row.ingestBucket(), row.sourcePartition(), row.correction()), row,
                (stored, written) -> written.version() >= stored.version() ? written : stored);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized List<SpeedDelta> read(String productId, Instant from, Instant to, Instant ingestFrom) {
        checkAvailable();
        return SpeedRow.sum(rows.values().stream()
                .filter(row -> row.key().productId().equals(productId))
                .filter(row -> !row.ingestBucket().isBefore(ingestFrom))
                .filter(row -> !row.key().window().start().isBefore(from) && row.key().window().start().isBefore(to))
                .toList());
    }

    @Override
    public synchronized CompletionStage<Void> recordProduct(String productId) {
        if (unavailable) {
            return CompletableFuture.failedFuture(down());
        }
        products.add(productId);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized Set<String> products() {
        checkAvailable();
        return new TreeSet<>(products);
    }

    @Override
    public synchronized void saveProgress(SpeedTaskProgress taskProgress) {
        checkAvailable();
        progress.merge(String.format("%010d/%010d", taskProgress.sourcePartition(), taskProgress.task()), taskProgress,
                (stored, written) -> written.watermark().isBefore(stored.watermark()) ? stored : written);
    }

    @Override
    public synchronized List<SpeedTaskProgress> taskProgress() {
        checkAvailable();
        return List.copyOf(progress.values());
    }

    @Override
    public synchronized void recordHole(IngestHole hole) {
        checkAvailable();
        holes.put(String.format("%010d/%020d", hole.partition(), hole.fromOffset()), hole);
    }

    @Override
    public synchronized List<IngestHole> holes() {
        checkAvailable();
        return List.copyOf(holes.values());
    }

    @Override
    public synchronized void saveDeadLetters(DeadLetterCount count, long offset) {
        checkAvailable();
        deadLetters.merge(count.partition() + "/" + count.reason().code(), new Versioned<>(count, offset),
                (stored, written) -> written.version() >= stored.version() ? written : stored);
    }

    @Override
    public synchronized List<DeadLetterCount> deadLetters() {
        checkAvailable();
        return deadLetters.values().stream().map(Versioned::value).toList();
    }

    @Override
    public synchronized Optional<LegacyRowsCopy> legacyRowsCopy() {
        checkAvailable();
        return Optional.ofNullable(legacyRowsCopy);
    }

    @Override
    public synchronized void recordLegacyRowsCopy(LegacyRowsCopy copy) {
        checkAvailable();
        legacyRowsCopy = copy;
    }

    /** The (window, bucket) sums of every product, for assertions. */
    public synchronized List<SpeedDelta> all() {
        return SpeedRow.sum(rows.values());
    }

    /** Every stored row and correction, for assertions. */
    public synchronized List<SpeedRow> rows() {
        return new ArrayList<>(rows.values());
    }

    private void checkAvailable() {
        if (unavailable) {
            throw down();
        }
    }

    private static ViewStoreUnavailableException down() {
        return new ViewStoreUnavailableException("In-memory speed views set unavailable", null);
    }
}
