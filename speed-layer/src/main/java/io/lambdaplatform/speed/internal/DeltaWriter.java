package io.lambdaplatform.speed.internal;

import io.lambdaplatform.speed.SpeedMetrics;
import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import org.apache.kafka.streams.errors.StreamsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Runs a set of idempotent writes to the view store with a bound on how many are in flight, and does not
 * return until every one has succeeded: failed writes are retried with exponential backoff for as long
 * as it takes. Writes are never dropped; while Cassandra is down the caller (a stream thread about to
 * commit) waits, which is how the speed layer stops making progress instead of losing data.
 */
public final class DeltaWriter {

    private static final Logger LOG = LoggerFactory.getLogger(DeltaWriter.class);

    /** One write, started again on every attempt. */
    public record Write(String what, Supplier<CompletionStage<Void>> start) {
        public Write {
            requireNonNull(what, "what is null");
            requireNonNull(start, "start is null");
        }
    }

    private final SpeedMetrics metrics;
    private final int maxInFlight;
    private final Duration firstBackoff;
    private final Duration maxBackoff;

    public DeltaWriter(SpeedMetrics metrics, int maxInFlight, Duration firstBackoff, Duration maxBackoff) {
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.maxInFlight = maxInFlight;
        this.firstBackoff = requireNonNull(firstBackoff, "firstBackoff is null");
        this.maxBackoff = requireNonNull(maxBackoff, "maxBackoff is null");
    }

    /** Returns once every write has succeeded. */
    public void writeAll(List<Write> writes) {
        List<Write> pending = writes;
        Duration backoff = firstBackoff;
        int round = 1;
        while (!pending.isEmpty()) {
            List<Failure> failures = attemptAll(pending);
            if (failures.isEmpty()) {
                if (round > 1) {
                    LOG.info("Cassandra writes succeeded after {} rounds of retries", round - 1);
                }
                return;
            }
            metrics.cassandraRetries(failures.size());
            Failure first = failures.get(0);
            if (first.cause() instanceof ViewStoreUnavailableException) {
                LOG.warn("{} of {} Cassandra writes failed (round {}), retrying in {} ms; nothing is committed meanwhile. First: {}: {}",
                        failures.size(), pending.size(), round, backoff.toMillis(), first.write().what(), first.cause().getMessage());
            }
            else {
                LOG.error("{} of {} Cassandra writes failed (round {}), retrying in {} ms; nothing is committed meanwhile. First: {}",
                        failures.size(), pending.size(), round, backoff.toMillis(), first.write().what(), first.cause());
            }
            sleep(backoff);
            backoff = backoff.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : backoff.multipliedBy(2);
            pending = failures.stream().map(Failure::write).toList();
            round++;
        }
    }

    private record Failure(Write write, Throwable cause) {}

    private List<Failure> attemptAll(List<Write> writes) {
        Semaphore permits = new Semaphore(maxInFlight);
        CountDownLatch done = new CountDownLatch(writes.size());
        ConcurrentLinkedQueue<Failure> failures = new ConcurrentLinkedQueue<>();
        for (Write write : writes) {
            permits.acquireUninterruptibly();
            long started = System.nanoTime();
            CompletionStage<Void> stage;
            try {
                stage = write.start().get();
            }
            catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((ignored, error) -> {
                metrics.cassandraWrite(System.nanoTime() - started);
                if (error != null) {
                    failures.add(new Failure(write, error instanceof CompletionException && error.getCause() != null ? error.getCause() : error));
                }
                permits.release();
                done.countDown();
            });
        }
        try {
            done.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("Interrupted while Cassandra writes were in flight; the commit does not happen", e);
        }
        return new ArrayList<>(failures);
    }

    private static void sleep(Duration backoff) {
        try {
            Thread.sleep(backoff.toMillis());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("Interrupted while waiting to retry Cassandra writes; the commit does not happen", e);
        }
    }
}
