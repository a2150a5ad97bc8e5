package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.SketchMeasure;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * The merge of the serialized sketches of one {@link SketchMeasure} as a Spark aggregate, by common-model's
 * {@link SketchMeasure#accumulator()}: Spark has no aggregate that merges KLL sketches, and one function for both kinds
 * keeps {@link Metrics#merge}'s rule that a merge with a sketch not known ({@code null}) is not known.
 *
 * <p>The buffer is a running merge, updated in place: each input sketch is read where it lies, and the merge is
 * serialized only when Spark moves the buffer (between its partial and final aggregates, or to spill), by a bean
 * encoder: Spark's generated code, not Java serialization, which costs more than the merge of a small sketch.
 */
final class SketchMerge extends Aggregator<byte[], SketchMerge.Buffer, byte[]> {

    @Serial
    private static final long serialVersionUID = 2L;

    private final SketchMeasure measure;

    SketchMerge(SketchMeasure measure) {
        this.measure = requireNonNull(measure, "measure is null");
    }

    @Override
    public Buffer zero() {
        return new Buffer();
    }

    @Override
    public Buffer reduce(Buffer buffer, byte[] sketch) {
        buffer.add(measure, sketch);
        return buffer;
    }

    @Override
    public Buffer merge(Buffer left, Buffer right) {
        byte[] sketch = right.isKnown() ? right.getSketch() : null;
        if (!right.isKnown() || sketch != null) {
            left.add(measure, sketch);
        }
        return left;
    }

    @Override
    public byte[] finish(Buffer buffer) {
        return buffer.isKnown() ? buffer.merged(measure).toByteArray() : null;
    }

    @Override
    public Encoder<Buffer> bufferEncoder() {
        return Encoders.bean(Buffer.class);
    }

    @Override
    public Encoder<byte[]> outputEncoder() {
        return Encoders.BINARY();
    }

    /**
     * The merge so far of one group's sketches, or "not known" once a sketch was not. A bean (public, with a property per
     * serialized field) for Spark's encoder: {@code sketch} is the serialized merge, {@code null} before the first.
     */
    public static final class Buffer {

        private boolean known = true;
        /** The serialized merge as Spark handed it over, until the first merge into it. */
        private byte[] sketch;
        private SketchMeasure.Accumulator merged;

        public boolean isKnown() {
            return known;
        }

        public void setKnown(boolean known) {
            this.known = known;
        }

        public byte[] getSketch() {
            return merged == null ? sketch : merged.toByteArray();
        }

        public void setSketch(byte[] sketch) {
            this.sketch = sketch;
            this.merged = null;
        }

        void add(SketchMeasure measure, byte[] other) {
            if (!known) {
                return;
            }
            if (other == null) {
                known = false;
                sketch = null;
                merged = null;
            }
            else {
                merged(measure).add(other);
            }
        }

        SketchMeasure.Accumulator merged(SketchMeasure measure) {
            if (merged == null) {
                merged = measure.accumulator();
                if (sketch != null) {
                    merged.add(sketch);
                    sketch = null;
                }
            }
            return merged;
        }
    }
}
