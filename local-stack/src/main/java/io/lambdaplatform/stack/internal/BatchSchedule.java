package io.lambdaplatform.stack.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static java.util.Objects.requireNonNull;

/**
 * Batch runs on a fixed schedule: each run is a child JVM ({@code ./lambda batch}) awaited to its end; a run that
 * outlasts the period delays the next one rather than overlapping it. {@link #close()} cancels what is scheduled
 * and stops a running job (SIGTERM, then kill), which leaves the published version as it was.
 */
public final class BatchSchedule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchSchedule.class);

    private final Supplier<ChildJvm> launcher;
    private final Duration stopTimeout;
    private final Consumer<String> outcome;
    private final ScheduledExecutorService executor;
    // The last run started; it may have finished.
    private volatile ChildJvm running;
    private volatile boolean closed;
    private int runs;

    private BatchSchedule(Supplier<ChildJvm> launcher, Duration stopTimeout, Consumer<String> outcome) {
        this.launcher = requireNonNull(launcher, "launcher is null");
        this.stopTimeout = requireNonNull(stopTimeout, "stopTimeout is null");
        this.outcome = requireNonNull(outcome, "outcome is null");
        this.executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "batch-schedule");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param launcher starts one batch run
     * @param outcome receives one line per finished run
     */
    public static BatchSchedule start(Supplier<ChildJvm> launcher, Duration firstAfter, Duration every, Duration stopTimeout, Consumer<String> outcome) {
        BatchSchedule schedule = new BatchSchedule(launcher, stopTimeout, outcome);
        schedule.executor.scheduleAtFixedRate(schedule::runOnce, firstAfter.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return schedule;
    }

    /** The pid of the batch job running now, if one is. */
    public Optional<Long> runningPid() {
        ChildJvm jvm = running;
        return jvm != null && jvm.isAlive() ? Optional.of(jvm.pid()) : Optional.empty();
    }

    private void runOnce() {
        int run;
        Instant start = Instant.now();
        ChildJvm jvm;
        // Starting a run and closing exclude each other, so close() always sees the run it must stop.
        synchronized (this) {
            if (closed) {
                return;
            }
            run = ++runs;
            try {
                jvm = launcher.get();
            }
            catch (RuntimeException e) {
                log.error("Batch run {} could not start", run, e);
                outcome.accept("batch run " + run + " could not start: " + e.getMessage());
                return;
            }
            running = jvm;
        }
        try {
            int exitCode = jvm.onExit().get().exitValue();
            String took = String.format(Locale.ROOT, "%.1f", Duration.between(start, Instant.now()).toMillis() / 1000.0);
            if (closed) {
                log.info("Batch run {} stopped with the platform after {} s", run, took);
            }
            else if (exitCode == 0) {
                log.info("Batch run {} published a new version in {} s", run, took);
                outcome.accept("batch run " + run + " published a new version in " + took + " s");
            }
            else {
                log.info("Batch run {} failed with exit code {} after {} s; see {}", run, exitCode, took, jvm.logFile());
                outcome.accept("batch run " + run + " failed (exit code " + exitCode + ") after " + took + " s; see " + jvm.logFile());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        catch (java.util.concurrent.ExecutionException e) {
            log.error("Waiting for batch run {} failed", run, e.getCause());
        }
    }

    @Override
    public void close() {
        ChildJvm jvm;
        synchronized (this) {
            closed = true;
            jvm = running;
        }
        executor.shutdownNow();
        if (jvm != null && jvm.isAlive()) {
            log.info("Stopping the running batch job (pid {})", jvm.pid());
            jvm.requestStop();
            jvm.awaitStop(stopTimeout);
        }
        try {
            executor.awaitTermination(stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
