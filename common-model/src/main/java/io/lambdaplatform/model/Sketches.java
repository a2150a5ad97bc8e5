package io.lambdaplatform.model;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * The approximate measures of a set of events, one sketch per {@link SketchMeasure}: the distinct users and the
 * durations. Mergeable like the exact measures: {@link #merge} is associative and commutative with {@link #EMPTY} as
 * identity, and since the batch and speed parts of a window hold disjoint sets of events (the ingest-time boundary),
 * their merged sketches neither miss an event nor count one twice.
 */
public record Sketches(UserSketch users, DurationSketch durations) implements Serializable {

    public static final Sketches EMPTY = new Sketches(UserSketch.EMPTY, DurationSketch.EMPTY);

    public Sketches {
        requireNonNull(users, "users is null");
        requireNonNull(durations, "durations is null");
    }

    /** The sketches of one event: its user (when it names one) and its duration. */
    public static Sketches of(Event event) {
        return new Sketches(event.userId() == null ? UserSketch.EMPTY : UserSketch.of(event.userId()),
                DurationSketch.of(event.durationMs()));
    }

    /** The sketches of the union of two sets of events. */
    public Sketches merge(Sketches other) {
        return new Sketches(users.union(other.users), durations.merge(other.durations));
    }
}
