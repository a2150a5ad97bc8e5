package io.lambdaplatform.model;

import java.math.BigDecimal;

import static java.util.Objects.requireNonNull;

/**
 * The measures of a view row, described once: what each takes from an event and how two partial values merge.
 * {@link Metrics#of(Event)} and {@link Metrics#merge(Metrics)} (the Kafka Streams app, the serving layer's merge)
 * follow this description, and the Spark job turns the same description into column expressions over the master
 * dataset's typed columns, so both compute the same numbers from the same events.
 *
 * <p>Every value is an exact decimal of the measure's {@link #scale()}: a sum never rounds and never overflows.
 */
public enum Measure {
    /** Each event counts 1. */
    EVENT_COUNT("event_count", Merge.COUNT, null, 0),
    /** The exact sum of the events' revenue, at {@link EventRules#REVENUE_SCALE}. */
    REVENUE("revenue", Merge.SUM, EventCodec.REVENUE, EventRules.REVENUE_SCALE),
    /** The sum of the events' durations in milliseconds. */
    DURATION_SUM_MS("duration_sum_ms", Merge.SUM, EventCodec.DURATION_MS, 0);

    /** How the partial values of two disjoint sets of events combine. */
    public enum Merge {
        /** The number of events: 1 per event, added up. */
        COUNT,
        /** The sum of one field of the events, added up. */
        SUM
    }

    private final String column;
    private final Merge merge;
    private final String eventField;
    private final int scale;

    Measure(String column, Merge merge, String eventField, int scale) {
        this.column = column;
        this.merge = merge;
        this.eventField = eventField;
        this.scale = scale;
    }

    /** The name of the measure's column in a view. */
    public String column() {
        return column;
    }

    public Merge merge() {
        return merge;
    }

    /**
     * The event field a {@link Merge#SUM} adds up, by its name in the event's JSON ({@link EventCodec}) and in the
     * master dataset's typed columns.
     *
     * @throws IllegalStateException for {@link Merge#COUNT}, which takes no field
     */
    public String eventField() {
        if (merge != Merge.SUM) {
            throw new IllegalStateException(this + " counts events and takes no field");
        }
        return eventField;
    }

    /** The number of fraction digits of the measure's values. */
    public int scale() {
        return scale;
    }

    /** The measure's value for one event. */
    public BigDecimal of(Event event) {
        requireNonNull(event, "event is null");
        return switch (merge) {
            case COUNT -> BigDecimal.ONE;
            case SUM -> switch (eventField) {
                case EventCodec.REVENUE -> event.revenue();
                case EventCodec.DURATION_MS -> BigDecimal.valueOf(event.durationMs());
                default -> throw new IllegalStateException("No event field " + eventField);
            };
        };
    }

    /** The value of the union of two disjoint sets of events: counts and sums both add, exactly. */
    public BigDecimal merge(BigDecimal a, BigDecimal b) {
        return a.add(b);
    }
}
