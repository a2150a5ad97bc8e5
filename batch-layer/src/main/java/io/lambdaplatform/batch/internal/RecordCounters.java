package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.RejectionReason;
import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Spark accumulators for what the recompute stage judged: records read, valid events, rejections by
 * reason. They are updated in transformations, so a retried task can count twice (Spark's documented
 * rule); the published counts come from the rows actually written instead.
 */
public final class RecordCounters implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LongAccumulator records;
    private final LongAccumulator valid;
    private final EnumMap<RejectionReason, LongAccumulator> rejected = new EnumMap<>(RejectionReason.class);

    public RecordCounters(SparkContext context) {
        records = context.longAccumulator("records read");
        valid = context.longAccumulator("valid events");
        for (RejectionReason reason : RejectionReason.values()) {
            rejected.put(reason, context.longAccumulator("rejected " + reason.code()));
        }
    }

    public void countRecord() {
        records.add(1);
    }

    public void countValid() {
        valid.add(1);
    }

    public void countRejected(RejectionReason reason) {
        rejected.get(reason).add(1);
    }

    public long records() {
        return records.value();
    }

    public long valid() {
        return valid.value();
    }

    /** Rejections by reason code, only reasons that occurred, in the order of {@link RejectionReason}. */
    public Map<String, Long> rejectedByReason() {
        Map<String, Long> counts = new LinkedHashMap<>();
        rejected.forEach((reason, accumulator) -> {
            if (accumulator.value() > 0) {
                counts.put(reason.code(), accumulator.value());
            }
        });
        return counts;
    }
}
