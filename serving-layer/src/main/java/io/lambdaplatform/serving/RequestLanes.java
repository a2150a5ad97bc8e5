package io.lambdaplatform.serving;

import io.lambdaplatform.viewstore.ViewStoreUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Two lanes for requests, as Druid's query laning has: light requests (one product over a bounded range) run at once;
 * heavy ones (long ranges, every product) run one at a time, in arrival order, and give way to light ones. Before each
 * of its steps (each read, each other step it names with {@link Turn#giveWay()}, and writing its answer), a heavy request
 * waits while any light request is in flight, at most {@code stepPatience} per step: a stream of light requests slows a
 * heavy one down but never stops it, and a light request shares the CPU and Cassandra with at most one step of one heavy
 * request.
 *
 * <p>A heavy request that waits longer than {@code turnPatience} for its turn is refused with
 * {@link ViewStoreUnavailableException} (503 with Retry-After). Thread-safe.
 */
final class RequestLanes {

    private final Semaphore heavyTurn = new Semaphore(1, true);
    private final Executor reads;
    private final Duration turnPatience;
    private final long stepPatienceNanos;
    private final Timer gaveWay;
    private final Object lock = new Object();
    private int lightInFlight;

    /**
     * @param reads where every read of the service runs; a heavy request's reads start there once it has given way
     * @param turnPatience how long a heavy request waits for its turn before it is refused
     * @param stepPatience how long a heavy request waits for light ones before each of its steps, at most
     */
    RequestLanes(Executor reads, Duration turnPatience, Duration stepPatience, MeterRegistry meters) {
        this.reads = requireNonNull(reads, "reads is null");
        this.turnPatience = requireNonNull(turnPatience, "turnPatience is null");
        this.stepPatienceNanos = stepPatience.toNanos();
        this.gaveWay = Timer.builder("lambda.serving.heavy.gave-way")
                .description("Time heavy requests waited for light ones to finish, per step")
                .register(meters);
    }

    /** Runs a light request; heavy requests wait at their next step until no light request is in flight. */
    <T> T light(Supplier<T> request) {
        synchronized (lock) {
            lightInFlight++;
        }
        try {
            return request.get();
        }
        finally {
            synchronized (lock) {
                if (--lightInFlight == 0) {
                    lock.notifyAll();
                }
            }
        }
    }

    /**
     * Runs a heavy request once it has its turn. {@code request} gets its {@link Turn}: an executor for its reads that
     * gives way to light requests before it starts each read, and {@link Turn#giveWay()} for its other steps. The answer
     * it returns is made (e.g. written as JSON) after giving way once more.
     */
    <A, T> T heavy(Function<Turn, A> request, Function<A, T> answer) {
        awaitTurn();
        try {
            A result = request.apply(new Turn(read -> {
                giveWay();
                reads.execute(read);
            }, this::giveWay));
            giveWay();
            return answer.apply(result);
        }
        finally {
            heavyTurn.release();
        }
    }

    /**
     * A heavy request's turn: where its reads run, and the wait (while a light request is in flight, at most the step's
     * patience) that it makes before each of its other steps.
     */
    record Turn(Executor reads, Runnable giveWay) {}

    /** Light requests in flight now. */
    int lightInFlight() {
        synchronized (lock) {
            return lightInFlight;
        }
    }

    private void awaitTurn() {
        try {
            if (!heavyTurn.tryAcquire(turnPatience.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ViewStoreUnavailableException("Busy: a heavy request waited " + turnPatience + " for its turn", null);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ViewStoreUnavailableException("Interrupted while waiting for the turn of a heavy request", e);
        }
    }

    /** Waits while a light request is in flight, at most the step's patience. */
    private void giveWay() {
        long start = System.nanoTime();
        synchronized (lock) {
            if (lightInFlight == 0) {
                return;
            }
            long left = stepPatienceNanos;
            try {
                while (lightInFlight > 0 && left > 0) {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                    left = stepPatienceNanos - (System.nanoTime() - start);
                }
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ViewStoreUnavailableException("Interrupted while a heavy request gave way to light ones", e);
            }
        }
        gaveWay.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
}
