package io.lambdaplatform.serving;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * The {@link ViewState} shared by every request of the service, read at most once per {@code maxAge} instead of once
 * per request: under load an answer then costs the Cassandra reads of its own rows and nothing else.
 *
 * <p>An answer uses a state whose read began less than {@code maxAge} before the answer's own reads. That keeps it exact:
 * the batch view of the pointer it holds covers exactly the events ingested before that pointer's cutoff, and the speed
 * rows read afterwards hold every event ingested from that cutoff on up to the state's watermark (rows only grow). The
 * answer is as fresh as its rows; only the version it names and the watermark it reports may lag by up to
 * {@code maxAge}, so a published version or a rollback reaches every instance's answers within {@code maxAge}.
 *
 * <p>Once a state is half {@code maxAge} old, the next request starts reading the next one in the background and goes
 * on with the current one; under steady load no request waits for it. A request that finds the state {@code maxAge} old
 * (idle service, or Cassandra not answering) waits for the read, which concurrent requests share; a failed read fails
 * them (503) and the next request tries again. {@code maxAge} zero reads the state for every request. Thread-safe.
 */
public final class ViewStateCache {

    private record Snapshot(ViewState state, long readStartNanos) {}

    private final long maxAgeNanos;
    private final LongSupplier nanoTime;
    private volatile Snapshot latest;
    /** The state {@code latest} replaced in the background, {@code null} after a fresh read; guarded by {@code this}. */
    private Snapshot replaced;
    /** The read under way, {@code null} when none is; guarded by {@code this}. */
    private CompletableFuture<Snapshot> reading;

    /** @param maxAge how long a state is used after its read began; zero reads it for every request */
    public ViewStateCache(Duration maxAge) {
        this(maxAge, System::nanoTime);
    }

    /** @param nanoTime a monotonic clock in nanoseconds, for tests */
    ViewStateCache(Duration maxAge, LongSupplier nanoTime) {
        requireNonNull(maxAge, "maxAge is null");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("maxAge must not be negative: " + maxAge);
        }
        this.maxAgeNanos = maxAge.toNanos();
        this.nanoTime = requireNonNull(nanoTime, "nanoTime is null");
    }

    /**
     * A state whose read began less than {@code maxAge} ago.
     *
     * @param read    reads the state from the store (blocking); its exceptions reach the caller
     * @param readsOn runs the read
     */
    ViewState get(Supplier<ViewState> read, Executor readsOn) {
        if (maxAgeNanos == 0) {
            return read.get();
        }
        Snapshot current = latest;
        if (current != null) {
            long age = nanoTime.getAsLong() - current.readStartNanos();
            if (age < maxAgeNanos) {
                if (age >= maxAgeNanos / 2) {
                    startReading(read, readsOn);
                }
                return current.state();
            }
        }
        try {
            return startReading(read, readsOn).join().state();
        }
        catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }

    /**
     * Reads the state afresh on this thread, and shares it from now on unless a read that began later is shared already:
     * after a fresh read (as {@code /v1/status} makes) every answer of the service uses that state or a later one, so it
     * counts every event that state's watermark vouches for.
     *
     * @param read reads the state from the store (blocking); its exceptions reach the caller
     */
    ViewState readNow(Supplier<ViewState> read) {
        long start = nanoTime.getAsLong();
        ViewState state = read.get();
        if (maxAgeNanos > 0) {
            synchronized (this) {
                share(new Snapshot(state, start));
                // What follows a fresh read uses it or a later state, never an earlier one (AnswerCache).
                replaced = null;
            }
        }
        return state;
    }

    /**
     * The state that {@code current} replaced when a background read brought it, if that state is still younger than
     * {@code maxAge}: while an answer is computed from a new state, the answer from the one before may stand in for it
     * ({@link AnswerCache}). Empty when {@code current} is not the shared state, after a fresh read ({@link #readNow}),
     * and when the state before was too old.
     */
    synchronized Optional<ViewState> replacedBy(ViewState current) {
        Snapshot now = latest;
        if (replaced == null || now == null || now.state() != current || nanoTime.getAsLong() - replaced.readStartNanos() >= maxAgeNanos) {
            return Optional.empty();
        }
        return Optional.of(replaced.state());
    }

    private synchronized CompletableFuture<Snapshot> startReading(Supplier<ViewState> read, Executor readsOn) {
        if (reading != null) {
            return reading;
        }
        long start = nanoTime.getAsLong();
        CompletableFuture<Snapshot> next = CompletableFuture.supplyAsync(() -> new Snapshot(read.get(), start), readsOn);
        reading = next;
        // May run at once, on this thread, when the read already finished.
        next.whenComplete((snapshot, failure) -> finished(next, snapshot));
        return next;
    }

    private synchronized void finished(CompletableFuture<Snapshot> read, Snapshot snapshot) {
        if (reading == read) {
            reading = null;
        }
        if (snapshot != null) {
            share(snapshot);
        }
    }

    /** Shares {@code snapshot} unless the one shared began its read later: the shared state never goes back in time. */
    private synchronized void share(Snapshot snapshot) {
        if (latest == null || snapshot.readStartNanos() - latest.readStartNanos() >= 0) {
            replaced = latest;
            latest = snapshot;
        }
    }
}
