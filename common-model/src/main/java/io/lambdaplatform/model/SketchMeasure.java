package io.lambdaplatform.model;

/**
 * The approximate measures of a view row, described once, as {@link Measure} describes the exact ones: which event
 * field each sketches and with which sketch. {@link Sketches#of(Event)} and {@link Sketches#merge} (the Kafka Streams
 * app, the serving layer's merge) follow this description, and so does the Spark job, which sketches the same field of
 * every event with {@link #sketcher()}. A view stores each as a blob in the measure's column.
 */
public enum SketchMeasure {
    /** The distinct users: an HLL sketch of {@code user_id} ({@link UserSketch}); events without a user do not count. */
    UNIQUE_USERS("unique_users", Kind.HLL, EventCodec.USER_ID, UserSketch.LG_K),
    /** The durations: a KLL sketch of {@code duration_ms} ({@link DurationSketch}), for quantiles. */
    DURATION_QUANTILES("duration_quantiles", Kind.KLL, EventCodec.DURATION_MS, DurationSketch.K);

    /** Which sketch, with which accuracy parameter. */
    public enum Kind {
        /** HyperLogLog ({@code HLL_8}) of a string field; the parameter is lgK. */
        HLL,
        /** KLL of a long field; the parameter is k. */
        KLL
    }

    private final String column;
    private final Kind kind;
    private final String eventField;
    private final int parameter;

    SketchMeasure(String column, Kind kind, String eventField, int parameter) {
        this.column = column;
        this.kind = kind;
        this.eventField = eventField;
        this.parameter = parameter;
    }

    /** The name of the measure's column in a view. */
    public String column() {
        return column;
    }

    public Kind kind() {
        return kind;
    }

    /** The event field the sketch takes, by its name in the event's JSON and in the master dataset's typed columns. */
    public String eventField() {
        return eventField;
    }

    /** The sketch's accuracy parameter: lgK for {@link Kind#HLL}, k for {@link Kind#KLL}. */
    public int parameter() {
        return parameter;
    }

    /**
     * A sketch of this measure's event field built one event's value at a time, for sketching many events at once. Its
     * result is the sketch that {@link Sketches#of} and {@link Sketches#merge} make of the same events.
     */
    public Sketcher sketcher() {
        return switch (this) {
            case UNIQUE_USERS -> UserSketch.sketcher();
            case DURATION_QUANTILES -> DurationSketch.sketcher();
        };
    }

    /** A sketch of one measure's event field, updated in place; not thread-safe. */
    public interface Sketcher {

        /**
         * Adds one event's value of the field: a {@code String} for {@link Kind#HLL}, a {@code Number} (its long value)
         * for {@link Kind#KLL}. {@code null}, an event without the field, adds nothing.
         */
        void add(Object value);

        /** The serialized sketch of every value added; of none, the measure's empty sketch. */
        byte[] toByteArray();
    }

    /** This measure's serialized sketch of a set of events. */
    public byte[] bytes(Sketches sketches) {
        return switch (this) {
            case UNIQUE_USERS -> sketches.users().toByteArray();
            case DURATION_QUANTILES -> sketches.durations().toByteArray();
        };
    }
}
