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
        Accumulator merged = new Accumulator();
        for (Sketches sketches : all) {
            merged.add(sketches);
        }
        return merged.result();
    }

    /**
     * The sketches of a growing set of events, updated in place: {@link #result()} equals what {@link #of} and
     * {@link #merge} make of the same events and sketches, added in the same order, but no step copies the sketches
     * built so far. The first sketches added are kept as they are until something else is added; then they are read
     * into heap copies, which later sketches are merged into and events update. Only {@link #result()} serializes. Not
     * thread-safe.
     */
    public static final class Accumulator {

        /** The only sketches added so far, not read yet; {@code null} once anything else was added. */
        private Sketches only;
        private boolean started;
        /** {@code null} until a user is added. */
        private Union users;
        /** {@code null} until a duration is added. */
        private KllLongsSketch durations;

        /** Adds one event: {@code add(Sketches.of(event))}. */
        public void add(Event event) {
            start();
            if (event.userId() != null) {
                if (users == null) {
                    users = new Union(UserSketch.LG_K);
                }
                users.update(event.userId());
            }
            if (durations == null) {
                durations = KllLongsSketch.newHeapInstance(DurationSketch.K);
            }
            durations.update(event.durationMs());
        }

        /** Adds the sketches of another set of events. */
        public void add(Sketches sketches) {
            if (!started) {
                started = true;
                only = sketches;
                return;
            }
            start();
            mergeIn(sketches);
        }

        /** The sketches of everything added so far; adding more later does not change them. */
        public Sketches result() {
            if (only != null) {
                return only;
            }
            return new Sketches(users == null ? UserSketch.EMPTY : new UserSketch(users.getResult(UserSketch.TYPE)),
                    durations == null ? DurationSketch.EMPTY : DurationSketch.copyOf(durations));
        }

        /** Something more than one set of sketches is added: the one kept as it is goes into the heap copies. */
        private void start() {
            started = true;
            if (only != null) {
                Sketches first = only;
                only = null;
                mergeIn(first);
            }
        }

        private void mergeIn(Sketches sketches) {
            if (!sketches.users.isEmpty()) {
                if (users == null) {
                    users = sketches.users.heapUnion();
                }
                else {
                    users.update(sketches.users.sketch());
                }
            }
            if (!sketches.durations.isEmpty()) {
                if (durations == null) {
                    durations = sketches.durations.heapCopy();
                }
                else {
                    durations.merge(sketches.durations.sketch());
                }
            }
        }
    }
}
