package io.lambdaplatform.model;

import org.apache.datasketches.common.SketchesException;
import org.apache.datasketches.kll.KllLongsSketch;
import org.apache.datasketches.kll.KllSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.memory.MemoryException;
import org.apache.datasketches.quantilescommon.LongsSortedView;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The durations of a set of events: an Apache DataSketches KLL sketch of {@code duration_ms} as longs, k {@value #K}:
 * the sketch Spark's {@code kll_sketch_agg_bigint(duration_ms, 200)} builds, in the same binary format. It answers any
 * quantile within a normalized rank error of about 1.3 % (99 % confidence), and exactly while it holds at most
 * {@value #K} durations. Immutable: {@link #merge} returns a new sketch; the serialized form is the value, the heap
 * sketch a cache of it that is never updated in place.
 *
 * <p>Two sketches are equal when they hold the same number of durations and answer every quantile the same.
 */
public final class DurationSketch implements Serializable {

    /** The KLL accuracy parameter: a normalized rank error of about 1.3 % for one quantile at 99 % confidence. */
    public static final int K = 200;
    public static final DurationSketch EMPTY = new DurationSketch(KllLongsSketch.newHeapInstance(K));

    @Serial
    private static final long serialVersionUID = 1L;

    private final byte[] bytes;
    private transient volatile KllLongsSketch sketch;

    DurationSketch(KllLongsSketch sketch) {
        this(sketch.toByteArray(), sketch);
    }

    private DurationSketch(byte[] bytes, KllLongsSketch sketch) {
        this.bytes = bytes;
        this.sketch = sketch;
    }

    /** The sketch of one duration. */
    public static DurationSketch of(long durationMs) {
        KllLongsSketch sketch = KllLongsSketch.newHeapInstance(K);
        sketch.update(durationMs);
        return new DurationSketch(sketch);
    }

    /**
     * A sketch from its serialized form, as this class or Spark wrote it.
     *
     * @throws IllegalArgumentException if the bytes are not a KLL sketch of longs with k {@value #K}
     */
    public static DurationSketch fromBytes(byte[] bytes) {
        return new DurationSketch(bytes.clone(), read(bytes, KllLongsSketch::heapify));
    }

    /** The sketch in {@code bytes}, read by {@code reader} (a heap copy or a view in place), after checking it is one of k {@value #K}. */
    private static KllLongsSketch read(byte[] bytes, Function<Memory, KllLongsSketch> reader) {
        requireNonNull(bytes, "bytes is null");
        KllLongsSketch sketch;
        try {
            sketch = reader.apply(Memory.wrap(bytes));
        }
        catch (SketchesException | MemoryException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Not a KLL sketch of longs: " + e.getMessage(), e);
        }
        if (sketch.getK() != K) {
            throw new IllegalArgumentException("A KLL sketch of k " + sketch.getK() + ", not " + K);
        }
        return sketch;
    }

    /** The sketch of the durations of both sets of events. */
    public DurationSketch merge(DurationSketch other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        KllLongsSketch merged = heapCopy();
        merged.merge(other.sketch());
        return new DurationSketch(merged);
    }

    /** The sketch that {@code sketch} is now, serialized: later updates of {@code sketch} do not change it. */
    static DurationSketch copyOf(KllLongsSketch sketch) {
        return new DurationSketch(sketch.toByteArray(), null);
    }

    /** A heap copy of this sketch, to take more durations or sketches in place. */
    KllLongsSketch heapCopy() {
        return KllLongsSketch.heapify(Memory.wrap(bytes));
    }

    /**
     * A sketch of durations, one at a time ({@link SketchMeasure#sketcher()}). The first {@value #K} durations are kept as
     * they come and given to a sketch only when one more comes or the sketch is asked for, in the same order: the same
     * sketch, without the {@value #K} longs a sketch allocates for a window of a few events.
     */
    static SketchMeasure.Sketcher sketcher() {
        return new SketchMeasure.Sketcher() {
            private long[] kept = new long[4];
            private int count;
            private KllLongsSketch sketch;

            @Override
            public void add(Object durationMs) {
                if (durationMs == null) {
                    return;
                }
                long value = ((Number) durationMs).longValue();
                if (sketch == null && count < K) {
                    if (count == kept.length) {
                        kept = Arrays.copyOf(kept, Math.min(K, 2 * kept.length));
                    }
                    kept[count++] = value;
                }
                else {
                    sketch().update(value);
                }
            }

            @Override
            public byte[] toByteArray() {
                return sketch().toByteArray();
            }

            private KllLongsSketch sketch() {
                if (sketch == null) {
                    sketch = KllLongsSketch.newHeapInstance(K);
                    for (int i = 0; i < count; i++) {
                        sketch.update(kept[i]);
                    }
                    kept = null;
                }
                return sketch;
            }
        };
    }

    /** How many durations the sketch has seen. */
    public long count() {
        return sketch().getN();
    }

    public boolean isEmpty() {
        return sketch().isEmpty();
    }

    /**
     * The duration at normalized rank {@code q}: a duration seen, of which about {@code q} of the durations are at most
     * as long.
     *
     * @throws IllegalArgumentException if {@code q} is not in [0, 1]
     * @throws IllegalStateException    if the sketch is empty
     */
    public long quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("A quantile is in [0, 1], not " + q);
        }
        if (isEmpty()) {
            throw new IllegalStateException("No durations: no quantile");
        }
        KllLongsSketch known = sketch();
        // The heap sketch caches its sorted view on the first query: readers of one shared sketch take turns.
        synchronized (known) {
            return known.getQuantile(q, QuantileSearchCriteria.INCLUSIVE);
        }
    }

    /** The normalized rank error of one {@link #quantile} at 99 % confidence, as DataSketches states it for k {@value #K}. */
    public static double normalizedRankError() {
        return KllSketch.getNormalizedRankError(K, false);
    }

    /** The serialized sketch, read-only. */
    public ByteBuffer bytes() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** A copy of the serialized sketch. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** The heap sketch; callers never update it. */
    KllLongsSketch sketch() {
        KllLongsSketch known = sketch;
        if (known == null) {
            known = KllLongsSketch.heapify(Memory.wrap(bytes));
            sketch = known;
        }
        return known;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof DurationSketch that) || count() != that.count()) {
            return false;
        }
        if (isEmpty()) {
            return true;
        }
        LongsSortedView mine = sortedView();
        LongsSortedView theirs = that.sortedView();
        return Arrays.equals(mine.getQuantiles(), theirs.getQuantiles())
                && Arrays.equals(mine.getCumulativeWeights(), theirs.getCumulativeWeights());
    }

    private LongsSortedView sortedView() {
        KllLongsSketch known = sketch();
        synchronized (known) {
            return known.getSortedView();
        }
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count());
    }

    @Override
    public String toString() {
        return isEmpty() ? "DurationSketch[]" : "DurationSketch[n=" + count() + ", p50=" + quantile(0.5) + "]";
    }
}
