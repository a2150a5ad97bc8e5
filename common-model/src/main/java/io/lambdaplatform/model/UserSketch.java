package io.lambdaplatform.model;

import org.apache.datasketches.common.SketchesException;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.memory.MemoryException;

import java.io.Serial;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.util.function.Function;

import static java.util.Objects.requireNonNull;

/**
 * The distinct users of a set of events: an Apache DataSketches HLL sketch of their {@code user_id}, lgK
 * {@value #LG_K}, {@code HLL_8}: the sketch Spark's {@code hll_sketch_agg(user_id, 12)} builds, in the same binary
 * format, so either engine reads the other's. Events without a user do not count. Immutable: {@link #union} returns a
 * new sketch; the serialized form is the value, the heap sketch a cache of it that is never updated in place.
 *
 * <p>Two sketches are equal when they estimate the same number: sketches of the same users are, in whatever order the
 * users came and however the sketch was split and merged (HLL registers keep maxima, and adding a user twice changes
 * nothing).
 */
public final class UserSketch implements Serializable {

    /** log2 of the number of registers: 4 096, a relative standard error of about 1.6 %. */
    public static final int LG_K = 12;
    static final TgtHllType TYPE = TgtHllType.HLL_8;
    public static final UserSketch EMPTY = new UserSketch(new HllSketch(LG_K, TYPE));

    @Serial
    private static final long serialVersionUID = 1L;

    private final byte[] bytes;
    private transient volatile HllSketch sketch;

    UserSketch(HllSketch sketch) {
        this.bytes = sketch.toCompactByteArray();
        this.sketch = sketch;
    }

    private UserSketch(byte[] bytes, HllSketch sketch) {
        this.bytes = bytes;
        this.sketch = sketch;
    }

    /** The sketch of one user. */
    public static UserSketch of(String userId) {
        requireNonNull(userId, "userId is null");
        HllSketch sketch = new HllSketch(LG_K, TYPE);
        sketch.update(userId);
        return new UserSketch(sketch);
    }

    /**
     * A sketch from its serialized form (any HLL type of lgK {@value #LG_K}, compact or updatable, as this class or
     * Spark wrote it).
     *
     * @throws IllegalArgumentException if the bytes are not such a sketch
     */
    public static UserSketch fromBytes(byte[] bytes) {
        return new UserSketch(bytes.clone(), read(bytes, HllSketch::heapify));
    }

    /** The sketch in {@code bytes}, read by {@code reader} (a heap copy or a view in place), after checking it is one of lgK {@value #LG_K}. */
    private static HllSketch read(byte[] bytes, Function<Memory, HllSketch> reader) {
        requireNonNull(bytes, "bytes is null");
        HllSketch sketch;
        try {
            sketch = reader.apply(Memory.wrap(bytes));
        }
        catch (SketchesException | MemoryException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("Not an HLL sketch: " + e.getMessage(), e);
        }
        if (sketch.getLgConfigK() != LG_K) {
            throw new IllegalArgumentException("An HLL sketch of lgK " + sketch.getLgConfigK() + ", not " + LG_K);
        }
        return sketch;
    }

    /** The sketch of the users of both sets of events. */
    public UserSketch union(UserSketch other) {
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        // The union starts as a copy of the larger sketch and takes the smaller one in: a fresh union would first copy
        // both, register by register (tens of microseconds at lgK 12), for what is mostly one more user.
        UserSketch larger = bytes.length >= other.bytes.length ? this : other;
        UserSketch smaller = larger == this ? other : this;
        Union union = larger.heapUnion();
        union.update(smaller.sketch());
        return new UserSketch(union.getResult(TYPE));
    }

    /** A union that starts as a heap copy of this sketch, to take more sketches or users in place. */
    Union heapUnion() {
        return Union.heapify(bytes);
    }

    /** A sketch of users, one at a time ({@link SketchMeasure#sketcher()}). */
    static SketchMeasure.Sketcher sketcher() {
        HllSketch sketch = new HllSketch(LG_K, TYPE);
        return new SketchMeasure.Sketcher() {
            @Override
            public void add(Object userId) {
                if (userId != null) {
                    sketch.update((String) userId);
                }
            }

            @Override
            public byte[] toByteArray() {
                return sketch.toCompactByteArray();
            }
        };
    }

    /** The estimated number of distinct users, rounded. */
    public long estimate() {
        return Math.round(sketch().getEstimate());
    }

    public boolean isEmpty() {
        return sketch().isEmpty();
    }

    /** The relative standard error of {@link #estimate()} (about 1.6 % at lgK 12), as DataSketches states it for a merged sketch. */
    public static double relativeStandardError() {
        return HllSketch.getRelErr(true, true, LG_K, 1);
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
    HllSketch sketch() {
        HllSketch known = sketch;
        if (known == null) {
            known = HllSketch.heapify(bytes);
            sketch = known;
        }
        return known;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof UserSketch that && Double.compare(sketch().getEstimate(), that.sketch().getEstimate()) == 0;
    }

    @Override
    public int hashCode() {
        return Double.hashCode(sketch().getEstimate());
    }

    @Override
    public String toString() {
        return "UserSketch[~" + estimate() + "]";
    }
}
