package io.lambdaplatform.batch.internal;

import io.lambdaplatform.model.Event;

import java.io.Serializable;

import static java.util.Objects.requireNonNull;

/**
 * A valid event and where it sits in ingest order: (ingest time, partition, offset), where the ingest time is
 * {@code ingest_eff}, the running maximum of LogAppendTime over the partition up to the record. Of several copies
 * of one event, the one that comes first in that order counts, as it does in the speed layer; raw LogAppendTimes
 * could invert within a partition when a broker's clock steps back, the running maximum cannot.
 */
public record FirstCopy(Event event, long ingestMillis, int partition, long offset) implements Serializable {

    public FirstCopy {
        requireNonNull(event, "event is null");
    }

    public static FirstCopy earlier(FirstCopy a, FirstCopy b) {
        if (a.ingestMillis != b.ingestMillis) {
            return a.ingestMillis < b.ingestMillis ? a : b;
        }
        if (a.partition != b.partition) {
            return a.partition < b.partition ? a : b;
        }
        return a.offset <= b.offset ? a : b;
    }
}
