package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.SketchMeasure;
import io.lambdaplatform.model.Sketches;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

import java.io.Serial;

import static java.util.Objects.requireNonNull;

/**
 * The merge of the serialized sketches of one {@link SketchMeasure} as a Spark aggregate, by common-model's
 * {@link SketchMeasure#merge(byte[], byte[])}: Spark has no aggregate that merges KLL sketches, and one function for
 * both kinds keeps {@link Metrics#merge}'s rule that a merge with a sketch not known ({@code null}) is not known.
 *
 * <p>The buffer is a serialized sketch, starting from the measure's empty one; an empty array stands for "not known".
 */
final class SketchMerge extends Aggregator<byte[], byte[], byte[]> {

    @Serial
    private static final long serialVersionUID = 1L;
    private static final byte[] UNKNOWN = new byte[0];

    private final SketchMeasure measure;

    SketchMerge(SketchMeasure measure) {
        this.measure = requireNonNull(measure, "measure is null");
    }

    @Override
    public byte[] zero() {
        return measure.bytes(Sketches.EMPTY);
    }

    @Override
    public byte[] reduce(byte[] buffer, byte[] sketch) {
        if (buffer.length == 0 || sketch == null) {
            return UNKNOWN;
        }
        return measure.merge(buffer, sketch);
    }

    @Override
    public byte[] merge(byte[] left, byte[] right) {
        if (left.length == 0 || right.length == 0) {
            return UNKNOWN;
        }
        return measure.merge(left, right);
    }

    @Override
    public byte[] finish(byte[] buffer) {
        return buffer.length == 0 ? null : buffer;
    }

    @Override
    public Encoder<byte[]> bufferEncoder() {
        return Encoders.BINARY();
    }

    @Override
    public Encoder<byte[]> outputEncoder() {
        return Encoders.BINARY();
    }
}
