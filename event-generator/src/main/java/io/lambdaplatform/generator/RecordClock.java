package io.lambdaplatform.generator;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

import static java.util.Objects.requireNonNull;

/**
 * The clock a generator reads once per record: the n-th reading is {@code start + n × step}. With the
 * step set to the sending interval it follows the wall clock as long as sending keeps the rate, and it
 * makes a run reproducible: the same seed, start and step give byte-identical records. Not thread-safe,
 * like the generator that reads it.
 */
public final class RecordClock implements InstantSource {

    private final Instant start;
    private final Duration step;
    private long readings;

    public RecordClock(Instant start, Duration step) {
        this.start = requireNonNull(start, "start is null");
        this.step = requireNonNull(step, "step is null");
        if (step.isNegative()) {
            throw new IllegalArgumentException("step must not be negative: " + step);
        }
    }

    /** The step of a run at {@code recordsPerSecond} (1 ms when sending as fast as possible, at rate 0). */
    public static RecordClock forRate(Instant start, double recordsPerSecond) {
        if (recordsPerSecond < 0) {
            throw new IllegalArgumentException("rate must not be negative: " + recordsPerSecond);
        }
        Duration step = recordsPerSecond == 0 ? Duration.ofMillis(1) : Duration.ofNanos(Math.round(1_000_000_000 / recordsPerSecond));
        return new RecordClock(start, step);
    }

    @Override
    public Instant instant() {
        return start.plus(step.multipliedBy(readings++));
    }
}
