package io.lambdaplatform.viewstore;

import io.lambdaplatform.viewstore.internal.DriverCalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

import static java.util.Objects.requireNonNull;

/**
 * Copies the speed rows an earlier release wrote to {@link ViewSchema#SPEED_ROWS} into the rows this release reads,
 * once, and then records {@link LegacyRowsCopy the marker}. Until the marker exists the serving layer reports the
 * ingest time from its cutoff on as not covered, so an answer is never short while it says it is complete.
 *
 * <p>Exact and idempotent: every row is written through {@link SpeedViews#write} with the version the earlier release
 * wrote it with, so of a copied row and a row the new speed layer wrote for the same (product, window, ingest bucket,
 * source partition, correction) the higher version stays, whichever lands last, and a copy that runs again (after a
 * crash or {@code kill -9} before the marker) writes the same (value, version) pairs again. The marker is written
 * only after every row and product was written.
 *
 * <p>Rows of ingest buckets before the earliest cutoff of the batch versions still stored are left behind: no pointer,
 * not even a rollback, needs them. The marker says where the copy started, so a version with an earlier cutoff
 * (published later by a replay, say) still shows the span as not covered.
 */
public final class SpeedRowsUpgrade {

    private static final Logger LOG = LoggerFactory.getLogger(SpeedRowsUpgrade.class);
    /** Row writes in flight at once. */
    private static final int WRITES_IN_FLIGHT = 64;

    private SpeedRowsUpgrade() {}

    /**
     * Returns the marker, after copying the rows and writing it if there is none yet.
     *
     * @throws ViewStoreException when a read or write fails: nothing is marked, and the next call copies again
     */
    public static LegacyRowsCopy copyLegacyRows(LegacySpeedRows legacy, SpeedViews speed, BatchViews batch, Clock clock) {
        requireNonNull(legacy, "legacy is null");
        requireNonNull(speed, "speed is null");
        requireNonNull(batch, "batch is null");
        requireNonNull(clock, "clock is null");
        Optional<LegacyRowsCopy> done = speed.legacyRowsCopy();
        if (done.isPresent()) {
            return done.get();
        }
        if (!legacy.exists()) {
            speed.recordLegacyRowsCopy(LegacyRowsCopy.NOTHING_TO_COPY);
            return LegacyRowsCopy.NOTHING_TO_COPY;
        }
        Instant from = batch.versions().stream().map(BatchVersion::cutoff).min(Comparator.naturalOrder()).orElse(Instant.EPOCH);
        LOG.info("Copying the speed rows of the earlier release ({}) ingested from {} on into {}", ViewSchema.SPEED_ROWS, from,
                ViewSchema.SPEED_ROWS_BY_INGEST);
        Semaphore inFlight = new Semaphore(WRITES_IN_FLIGHT);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Set<String> products = new TreeSet<>();
        long[] copied = {0};
        legacy.forEach(row -> {
            if (row.ingestBucket().isBefore(from)) {
                return;
            }
            inFlight.acquireUninterruptibly();
            throwIfFailed(failure);
            speed.write(row).whenComplete((ignored, error) -> {
                if (error != null) {
                    failure.compareAndSet(null, error);
                }
                inFlight.release();
            });
            products.add(row.key().productId());
            copied[0]++;
        });
        inFlight.acquireUninterruptibly(WRITES_IN_FLIGHT);
        throwIfFailed(failure);
        try {
            CompletableFuture.allOf(products.stream().map(product -> speed.recordProduct(product).toCompletableFuture())
                    .toArray(CompletableFuture[]::new)).join();
        }
        catch (CompletionException e) {
            failure.set(e);
            throwIfFailed(failure);
        }
        LegacyRowsCopy copy = new LegacyRowsCopy(from, copied[0], clock.instant());
        speed.recordLegacyRowsCopy(copy);
        LOG.info("Copied {} speed rows of {} products of the earlier release", copied[0], products.size());
        return copy;
    }

    private static void throwIfFailed(AtomicReference<Throwable> failure) {
        Throwable error = failure.get() == null ? null : DriverCalls.unwrap(failure.get());
        if (error != null) {
            throw error instanceof ViewStoreException store ? store
                    : new ViewStoreException("Copying the speed rows of the earlier release failed: " + error.getMessage(), error);
        }
    }
}
