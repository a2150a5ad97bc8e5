package io.lambdaplatform.batch;

import io.lambdaplatform.model.IngestBuckets;

import java.time.Duration;
import java.time.Instant;

/**
 * Where a batch run draws its line: a start of an ingest bucket, at least the safety margin behind now,
 * and never before the cutoff already archived. The views of the run cover exactly the events with ingest
 * time below it, and the serving layer adds the speed layer's buckets from it on.
 */
public final class IngestCutoff {

    private IngestCutoff() {}

    public static Instant choose(Instant now, Duration safetyMargin, IngestBuckets buckets, Instant lastArchived) {
        Instant candidate = buckets.bucketStart(now.minus(safetyMargin));
        return candidate.isAfter(lastArchived) ? candidate : lastArchived;
    }
}
