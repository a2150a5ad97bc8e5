package io.lambdaplatform.model;

import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.kll.KllLongsSketch;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.BinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

/**
 * The stated accuracy of the sketches, against exact values over many seeds, and the properties the boundary needs:
 * a window's answer is the same whether its events were sketched in one part (batch only, speed only) or in several
 * merged (both), and a copy of an event already counted changes nothing.
 */
class SketchesTest {

    private static final int SEEDS = 40;
    private static final double[] QUANTILES = {0.5, 0.95, 0.99};

    @Test
    void statesTheAccuracyOfItsParameters() {
        assertThat(UserSketch.relativeStandardError()).isBetween(0.015, 0.017);
        assertThat(DurationSketch.normalizedRankError()).isBetween(0.012, 0.014);
    }

    @Test
    void distinctUsersAreWithinThreeStandardErrorsOverManySeeds() {
        double worst = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            int distinct = List.of(50, 2_000, 12_000).get(seed % 3);
            List<String> users = new ArrayList<>();
            for (int i = 0; i < distinct * 2; i++) {
                users.add("user-" + seed + "-" + random.nextInt(distinct));
            }
            long exact = new HashSet<>(users).size();
            long estimate = inParts(users, random, UserSketch::of, UserSketch::union).estimate();

            double error = Math.abs(estimate - exact) / (double) exact;
            worst = Math.max(worst, error);
            assertThat(error).as("seed %d: %d distinct, estimated %d", seed, exact, estimate)
                    .isLessThanOrEqualTo(3 * UserSketch.relativeStandardError());
        }
        assertThat(worst).as("the worst relative error over %d seeds", SEEDS).isLessThan(3 * UserSketch.relativeStandardError());
        // The measured accuracy, for docs/http-api.md and the note.
        System.out.printf(java.util.Locale.ROOT, "sketch-accuracy: distinct users, worst relative error over %d seeds %.4f (bound %.4f)%n",
                SEEDS, worst, 3 * UserSketch.relativeStandardError());
    }

    @Test
    void durationQuantilesAreWithinTheRankErrorOverManySeeds() {
        double worst = 0;
        for (int seed = 0; seed < SEEDS; seed++) {
            Random random = new Random(seed);
            int n = List.of(150, 3_000, 20_000).get(seed % 3);
            List<Long> durations = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                durations.add(Math.round(Math.exp(6 + 1.5 * random.nextGaussian())));
            }
            long[] sorted = durations.stream().mapToLong(Long::longValue).sorted().toArray();
            DurationSketch sketch = inParts(durations, random, DurationSketch::of, DurationSketch::merge);

            assertThat(sketch.count()).isEqualTo(n);
            for (double q : QUANTILES) {
                long answer = sketch.quantile(q);
                double below = rank(sorted, answer, false);
                double atOrBelow = rank(sorted, answer, true);
                worst = Math.max(worst, Math.max(0, Math.max(below - q, q - atOrBelow)));
                assertThat(q).as("seed %d, n %d: p%s answered %d, true rank [%s, %s]", seed, n, q * 100, answer, below, atOrBelow)
                        .isBetween(below - DurationSketch.normalizedRankError(), atOrBelow + DurationSketch.normalizedRankError());
            }
        }
        System.out.printf(java.util.Locale.ROOT, "sketch-accuracy: duration p50/p95/p99, worst rank error over %d seeds %.4f (bound %.4f)%n",
                SEEDS, worst, DurationSketch.normalizedRankError());
    }

    @Test
    void aWindowAnswersTheSameFromOnePartOrFromSeveralMerged() {
        Random random = new Random(7);
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 180; i++) {
            events.add(new Event("e-" + i, "p", i % 4 == 0 ? null : "u-" + random.nextInt(60), java.math.BigDecimal.ONE,
                    random.nextInt(10_000), java.time.Instant.EPOCH));
        }
        Sketches batchOnly = sketches(events);
        Sketches speedOnly = sketches(reversed(events));
        Sketches both = sketches(events.subList(0, 70)).merge(sketches(events.subList(70, events.size())));

        assertThat(speedOnly).isEqualTo(batchOnly);
        assertThat(both).isEqualTo(batchOnly);
        for (double q : QUANTILES) {
            assertThat(both.durations().quantile(q)).isEqualTo(batchOnly.durations().quantile(q));
        }
        assertThat(both.users().estimate()).isEqualTo(events.stream().map(Event::userId).filter(java.util.Objects::nonNull).distinct().count());
    }

    @Test
    void theSameUserAgainChangesNoDistinctCount() {
        UserSketch once = UserSketch.of("u-1").union(UserSketch.of("u-2"));
        UserSketch again = once.union(UserSketch.of("u-1")).union(once);

        assertThat(again).isEqualTo(once);
        assertThat(again.estimate()).isEqualTo(2);
    }

    @Test
    void anEventWithoutAUserCountsNoUserButItsDuration() {
        Sketches sketches = Sketches.of(Event.of("e-1", "p", "1.00", 250, java.time.Instant.EPOCH));

        assertThat(sketches.users().isEmpty()).isTrue();
        assertThat(sketches.users().estimate()).isZero();
        assertThat(sketches.durations().count()).isEqualTo(1);
        assertThat(sketches.durations().quantile(0.99)).isEqualTo(250);
    }

    @Test
    void sketchesSurviveTheirSerializedForm() {
        Random random = new Random(3);
        List<String> users = new ArrayList<>();
        List<Long> durations = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            users.add("u-" + random.nextInt(5_000));
            durations.add((long) random.nextInt(100_000));
        }
        UserSketch userSketch = inParts(users, random, UserSketch::of, UserSketch::union);
        DurationSketch durationSketch = inParts(durations, random, DurationSketch::of, DurationSketch::merge);

        assertThat(UserSketch.fromBytes(userSketch.toByteArray())).isEqualTo(userSketch);
        assertThat(DurationSketch.fromBytes(durationSketch.toByteArray())).isEqualTo(durationSketch);
        assertThat(DurationSketch.fromBytes(durationSketch.toByteArray()).quantile(0.95)).isEqualTo(durationSketch.quantile(0.95));
        assertThat(UserSketch.fromBytes(userSketch.toByteArray()).union(UserSketch.of("someone-new")))
                .isEqualTo(userSketch.union(UserSketch.of("someone-new")));
    }

    @Test
    void aSketcherSketchesEventsAsTheirSketchesMerged() {
        Random random = new Random(17);
        List<Event> events = new ArrayList<>();
        for (int e = 0; e < 150; e++) {
            // Fewer than k durations, so that the KLL sketch is exact; every tenth event without a user.
            events.add(new Event("e" + e, "p", e % 10 == 0 ? null : "u-" + random.nextInt(60), java.math.BigDecimal.ONE,
                    random.nextInt(100_000), java.time.Instant.EPOCH));
        }
        Sketches merged = events.stream().map(Sketches::of).reduce(Sketches.EMPTY, Sketches::merge);

        SketchMeasure.Sketcher users = SketchMeasure.UNIQUE_USERS.sketcher();
        SketchMeasure.Sketcher durations = SketchMeasure.DURATION_QUANTILES.sketcher();
        for (Event event : events) {
            users.add(event.userId());
            durations.add(event.durationMs());
        }

        assertThat(new Sketches(UserSketch.fromBytes(users.toByteArray()), DurationSketch.fromBytes(durations.toByteArray())))
                .isEqualTo(merged);
        assertThat(UserSketch.fromBytes(users.toByteArray()).estimate()).isEqualTo(merged.users().estimate()).isBetween(50L, 60L);
        for (SketchMeasure measure : SketchMeasure.values()) {
            assertThat(measure.sketcher().toByteArray()).as("of none").isEqualTo(measure.bytes(Sketches.EMPTY));
        }
    }

    @Test
    void rejectsBytesThatAreNotItsSketch() {
        assertThatThrownBy(() -> UserSketch.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DurationSketch.fromBytes(new byte[] {1, 2, 3})).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> UserSketch.fromBytes(DurationSketch.of(5).toByteArray())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> DurationSketch.of(5).quantile(1.5)).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> DurationSketch.EMPTY.quantile(0.5)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void describesTheSketchesOnce() {
        assertThat(SketchMeasure.values()).extracting(SketchMeasure::column).containsExactly("unique_users", "duration_quantiles");
        assertThat(SketchMeasure.UNIQUE_USERS.eventField()).isEqualTo(EventCodec.USER_ID);
        assertThat(SketchMeasure.UNIQUE_USERS.parameter()).isEqualTo(12);
        assertThat(SketchMeasure.DURATION_QUANTILES.eventField()).isEqualTo(EventCodec.DURATION_MS);
        assertThat(SketchMeasure.DURATION_QUANTILES.parameter()).isEqualTo(200);
    }

    /** The values sketched in 1 to 8 random parts (as a window splits between batch, speed rows and ingest buckets), merged in random order. */
    private static <T, S> S inParts(List<T> values, Random random, java.util.function.Function<T, S> one, BinaryOperator<S> merge) {
        int parts = 1 + random.nextInt(8);
        List<S> sketches = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            sketches.add(null);
        }
        for (T value : values) {
            int part = random.nextInt(parts);
            S single = one.apply(value);
            sketches.set(part, sketches.get(part) == null ? single : merge.apply(sketches.get(part), single));
        }
        java.util.Collections.shuffle(sketches, random);
        return sketches.stream().filter(java.util.Objects::nonNull).reduce(merge).orElseThrow();
    }

    private static Sketches sketches(List<Event> events) {
        return events.stream().map(Sketches::of).reduce(Sketches.EMPTY, Sketches::merge);
    }

    private static <T> List<T> reversed(List<T> list) {
        List<T> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }

    /** The fraction of the sorted values below (or at or below) {@code value}. */
    private static double rank(long[] sorted, long value, boolean inclusive) {
        int index = Arrays.binarySearch(sorted, value);
        if (index < 0) {
            return (-index - 1) / (double) sorted.length;
        }
        int i = index;
        if (inclusive) {
            while (i < sorted.length && sorted[i] == value) {
                i++;
            }
        }
        else {
            while (i > 0 && sorted[i - 1] == value) {
                i--;
            }
        }
        return i / (double) sorted.length;
    }
}
