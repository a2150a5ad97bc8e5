package io.lambdaplatform.model;

import org.apache.datasketches.hll.Union;
import org.apache.datasketches.kll.KllLongsSketch;

import java.io.Serializable;
import java.util.Collection;

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

    /**
     * The sketches of the union of many sets of events: the same as merging them one by one, but each sketch goes once
     * into one HLL union and one KLL sketch, instead of every step copying the growing result.
     */
    public static Sketches mergeAll(Collection<Sketches> all) {
        if (all.size() == 1) {
            return all.iterator().next();
        }
        Union users = new Union(UserSketch.LG_K);
        KllLongsSketch durations = KllLongsSketch.newHeapInstance(DurationSketch.K);
        boolean anyUser = false;
        boolean anyDuration = false;
        for (Sketches sketches : all) {
            if (!sketches.users.isEmpty()) {
                users.update(sketches.users.sketch());
                anyUser = true;
            }
            if (!sketches.durations.isEmpty()) {
                durations.merge(sketches.durations.sketch());
                anyDuration = true;
            }
        }
        return new Sketches(anyUser ? new UserSketch(users.getResult(UserSketch.TYPE)) : UserSketch.EMPTY,
                anyDuration ? new DurationSketch(durations) : DurationSketch.EMPTY);
    }
}
