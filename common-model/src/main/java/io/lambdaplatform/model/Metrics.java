package io.lambdaplatform.model;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The mergeable aggregate of a set of events: count, exact revenue sum, duration sum, one value per {@link Measure}, and
 * the {@link Sketches} of its distinct users and durations, one per {@link SketchMeasure}.
 * {@link #of(Event)} and {@link #merge(Metrics)} follow the measures' description: the Kafka Streams app
 * ({@code ProductProcessor}) turns each event into {@link #of(Event)} and combines with {@link #merge(Metrics)}, the
 * serving layer merges the batch and speed parts of a window with {@link #merge(Metrics)} and derives
 * {@link #averageDurationMs()} at query time, and the Spark job ({@code RecomputeStage}) computes the same measures
 * as column expressions and reads its rows back with {@link #fromValues}.
 *
 * <p>{@code merge} is associative and commutative with {@link #EMPTY} as identity, so partial
 * aggregates of disjoint sets of events can be combined in any grouping and order into the exact
 * aggregate of their union. The average is derived, never stored.
 *
 * <p>Every sum is exact at any count: revenue is a {@link BigDecimal} and the duration sum a
 * {@link BigInteger} (one window of 9.3 million events of the largest allowed duration, 10^12 ms, already
 * passes {@code Long.MAX_VALUE}). Only the event count is a {@code long}: it cannot overflow before the
 * platform has stored 2^63 events.
 *
 * <p>The sketches are {@code null} when they are not known: in views written before the platform kept them. The merge
 * of an unknown with anything but {@link #EMPTY} is unknown, so an answer never passes off part of a window's users as
 * all of them.
 *
 * @param sketches the distinct users and durations, or {@code null} when not known
 */
public record Metrics(long eventCount, BigDecimal revenue, BigInteger durationSumMs, Sketches sketches) implements Serializable {

    public static final Metrics EMPTY = new Metrics(0, BigDecimal.ZERO, BigInteger.ZERO, Sketches.EMPTY);

    public Metrics {
        requireNonNull(revenue, "revenue is null");
        requireNonNull(durationSumMs, "durationSumMs is null");
        if (eventCount < 0) {
            throw new IllegalArgumentException("eventCount is negative: " + eventCount);
        }
        if (durationSumMs.signum() < 0) {
            throw new IllegalArgumentException("durationSumMs is negative: " + durationSumMs);
        }
        revenue = revenue.setScale(EventRules.REVENUE_SCALE, RoundingMode.UNNECESSARY);
        if (eventCount == 0 && (revenue.signum() != 0 || durationSumMs.signum() != 0)) {
            throw new IllegalArgumentException("An aggregate of no events has no revenue or duration: " + revenue + ", " + durationSumMs);
        }
    }

    /** Without sketches: the exact measures of a view that does not keep them. */
    public Metrics(long eventCount, BigDecimal revenue, BigInteger durationSumMs) {
        this(eventCount, revenue, durationSumMs, null);
    }

    /** For sums that fit in a {@code long}, as most do; without sketches. */
    public Metrics(long eventCount, BigDecimal revenue, long durationSumMs) {
        this(eventCount, revenue, BigInteger.valueOf(durationSumMs));
    }

    /** The partial aggregate of one event: each measure's {@link Measure#of(Event) value} for it, and its sketches. */
    public static Metrics of(Event event) {
        return fromValues(measure -> measure.of(event), Sketches.of(event));
    }

    /** The exact measures of one event, without sketches: what {@link #of(Event)} has but its sketches. */
    public static Metrics exactOf(Event event) {
        return fromValues(measure -> measure.of(event), null);
    }

    /**
     * The aggregate whose measures have these values.
     *
     * @throws ArithmeticException if the count is not a whole number that fits a {@code long}, or the duration
     *                             sum not a whole number
     */
    public static Metrics fromValues(Function<Measure, BigDecimal> values, Sketches sketches) {
        return new Metrics(
                values.apply(Measure.EVENT_COUNT).longValueExact(),
                values.apply(Measure.REVENUE),
                values.apply(Measure.DURATION_SUM_MS).toBigIntegerExact(),
                sketches);
    }

    /** The sketches, when the aggregate has them. */
    public Optional<Sketches> knownSketches() {
        return Optional.ofNullable(sketches);
    }

    /** The same exact measures with these sketches ({@code null}: not known). */
    public Metrics withSketches(Sketches newSketches) {
        return new Metrics(eventCount, revenue, durationSumMs, newSketches);
    }

    /** The value of one measure. */
    public BigDecimal value(Measure measure) {
        return switch (measure) {
            case EVENT_COUNT -> BigDecimal.valueOf(eventCount);
            case REVENUE -> revenue;
            case DURATION_SUM_MS -> new BigDecimal(durationSumMs);
        };
    }

    /**
     * The aggregate of the union of the two sets of events: every measure {@link Measure#merge merged}, the sketches
     * {@link Sketches#merge merged} (unknown if either side's are). Exact; the count throws rather than overflow.
     */
    public Metrics merge(Metrics other) {
        if (other.eventCount == 0) {
            return this;
        }
        if (eventCount == 0) {
            return other;
        }
        return fromValues(measure -> measure.merge(value(measure), other.value(measure)),
                sketches == null || other.sketches == null ? null : sketches.merge(other.sketches));
    }

    /**
     * The aggregate of the union of many disjoint sets of events: what merging them one by one gives, with the sketches
     * merged all at once ({@link Accumulator}).
     */
    public static Metrics mergeAll(List<Metrics> all) {
        Accumulator merged = new Accumulator();
        for (Metrics metrics : all) {
            merged.add(metrics);
        }
        return merged.result();
    }

    public boolean isEmpty() {
        return eventCount == 0;
    }

    /**
     * The aggregate of a growing set of disjoint events and aggregates, updated in place: {@link #result()} equals what
     * {@link #of} and {@link #merge} make of the same events and aggregates, added in the same order. The exact measures
     * are merged as {@link #merge} merges them; the sketches are updated in place ({@link Sketches.Accumulator}), so that
     * adding an event does not copy the sketches built so far. Not thread-safe.
     */
    public static final class Accumulator {

        /** The exact measures so far, without sketches. */
        private Metrics exact = EMPTY.withSketches(null);
        /** {@code false} once an aggregate with unknown sketches was added. */
        private boolean sketchesKnown = true;
        private final Sketches.Accumulator sketches = new Sketches.Accumulator();

        /**
         * Adds one event: {@code add(Metrics.of(event))}.
         *
         * @throws ArithmeticException if the event count would overflow; nothing is added then
         */
        public void add(Event event) {
            exact = exact.merge(exactOf(event));
            sketches.add(event);
        }

        /**
         * Adds the aggregate of a set of events disjoint from those added so far.
         *
         * @throws ArithmeticException if the event count would overflow; nothing is added then
         */
        public void add(Metrics metrics) {
            if (metrics.isEmpty()) {
                return;
            }
            exact = exact.merge(metrics.withSketches(null));
            if (metrics.sketches == null) {
                sketchesKnown = false;
            }
            else if (sketchesKnown) {
                sketches.add(metrics.sketches);
            }
        }

        /** The aggregate of everything added so far; adding more later does not change it. */
        public Metrics result() {
            if (exact.isEmpty()) {
                return EMPTY;
            }
            return exact.withSketches(sketchesKnown ? sketches.result() : null);
        }
    }

    /** Mean duration in milliseconds, rounded half-even to 3 decimals; zero when there are no events. */
    public BigDecimal averageDurationMs() {
        if (eventCount == 0) {
            return BigDecimal.ZERO.setScale(3);
        }
        return new BigDecimal(durationSumMs).divide(BigDecimal.valueOf(eventCount), 3, RoundingMode.HALF_EVEN);
    }
}
