package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.ViewKey;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A hand-written {@link SpeedViews} in memory, for unit tests of the layers. Thread-safe. It can be
 * told to fail writes, to test what a layer does while Cassandra is down.
 */
public final class InMemorySpeedViews implements SpeedViews {

    private record DeltaKey(ViewKey key, Instant ingestBucket) {}

    private final Map<DeltaKey, SpeedDelta> deltas = new TreeMap<>(
            Comparator.comparing((DeltaKey k) -> k.key()).thenComparing(DeltaKey::ingestBucket));
    private final Set<String> products = new TreeSet<>();
    private final Map<Integer, SpeedProgress> progress = new TreeMap<>();
    private final Map<String, DeadLetterCount> deadLetters = new TreeMap<>();
    private volatile boolean unavailable;

    /** While set, every call fails with {@link ViewStoreUnavailableException}, like Cassandra down. */
    public void setUnavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    @Override
    public synchronized CompletionStage<Void> upsert(SpeedDelta delta) {
        if (unavailable) {
            return CompletableFuture.failedFuture(down());
        }
        deltas.put(new DeltaKey(delta.key(), delta.ingestBucket()), delta);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized List<SpeedDelta> read(String productId, Instant from, Instant to) {
        checkAvailable();
        List<SpeedDelta> result = new ArrayList<>();
        for (SpeedDelta delta : deltas.values()) {
            Instant start = delta.key().window().start();
            if (delta.key().productId().equals(productId) && !start.isBefore(from) && start.isBefore(to)) {
                result.add(delta);
            }
        }
        return result;
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
    public synchronized void saveProgress(SpeedProgress partitionProgress) {
        checkAvailable();
        progress.put(partitionProgress.partition(), partitionProgress);
    }

    @Override
    public synchronized List<SpeedProgress> progress() {
        checkAvailable();
        return List.copyOf(progress.values());
    }

    @Override
    public synchronized void saveDeadLetters(DeadLetterCount count) {
        checkAvailable();
        deadLetters.put(count.partition() + "/" + count.reason().code(), count);
    }

    @Override
    public synchronized List<DeadLetterCount> deadLetters() {
        checkAvailable();
        return List.copyOf(deadLetters.values());
    }

    /** Every stored delta, for assertions. */
    public synchronized List<SpeedDelta> all() {
        return List.copyOf(deltas.values());
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
