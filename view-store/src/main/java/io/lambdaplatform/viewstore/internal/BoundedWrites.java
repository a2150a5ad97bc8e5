package io.lambdaplatform.viewstore.internal;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;
import io.lambdaplatform.viewstore.ViewStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Asynchronous idempotent writes with at most {@code maxInFlight} outstanding, each retried with
 * exponential backoff before it counts as failed. {@link #awaitAll()} returns once every submitted
 * write has finished and throws if any failed for good.
 */
public final class BoundedWrites {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedWrites.class);

    private final CqlSession session;
    private final int maxInFlight;
    private final int maxAttempts;
    private final Duration firstBackoff;
    private final Semaphore permits;
    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    public BoundedWrites(CqlSession session, int maxInFlight, int maxAttempts, Duration firstBackoff) {
        if (maxInFlight < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("maxInFlight and maxAttempts must be positive: " + maxInFlight + ", " + maxAttempts);
        }
        this.session = session;
        this.maxInFlight = maxInFlight;
        this.maxAttempts = maxAttempts;
        this.firstBackoff = firstBackoff;
        this.permits = new Semaphore(maxInFlight);
    }

    /** Submits a write, blocking while {@code maxInFlight} writes are outstanding. */
    public void submit(Statement<?> statement, String what) {
        if (failure.get() != null) {
            throw failed();
        }
        permits.acquireUninterruptibly();
        attempt(statement.setIdempotent(true), what, 1);
    }

    /** Waits for every submitted write. */
    public void awaitAll() {
        permits.acquireUninterruptibly(maxInFlight);
        permits.release(maxInFlight);
        if (failure.get() != null) {
            throw failed();
        }
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long retries() {
        return retries.get();
    }

    private void attempt(Statement<?> statement, String what, int attempt) {
        session.executeAsync(statement).whenComplete((result, error) -> {
            if (error == null) {
                succeeded.incrementAndGet();
                permits.release();
                return;
            }
            Throwable cause = DriverCalls.unwrap(error);
            if (attempt < maxAttempts && DriverCalls.isUnavailable(cause)) {
                retries.incrementAndGet();
                long delayMillis = firstBackoff.toMillis() << Math.min(attempt - 1, 10);
                LOG.warn("Write of {} failed (attempt {} of {}), retrying in {} ms: {}", what, attempt, maxAttempts, delayMillis, cause.toString());
                CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(statement, what, attempt + 1));
                return;
            }
            failure.compareAndSet(null, DriverCalls.translate(what, cause));
            permits.release();
        });
    }

    private ViewStoreException failed() {
        Throwable cause = failure.get();
        return new ViewStoreException("A view write failed after " + maxAttempts + " attempts: " + cause.getMessage(), cause);
    }
}
