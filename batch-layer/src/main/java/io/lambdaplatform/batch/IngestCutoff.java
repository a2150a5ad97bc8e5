package io.lambdaplatform.batch;

import io.lambdaplatform.model.IngestBuckets;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Where a batch run draws its line: a start of an ingest bucket, at least the safety margin behind the brokers'
 * clock (the newest LogAppendTime in the topic) and behind the driver's clock, and never before the cutoff already
 * archived. Ingest times come from the brokers, so the brokers' clock decides what is safely in the past; the
 * driver's clock only caps it. The views of the run cover exactly the events with ingest time below it, and the
 * serving layer adds the speed layer's buckets from it on.
 */
public final class IngestCutoff {

    private IngestCutoff() {}

    /**
     * @param driverNow    the driver's clock
     * @param brokerNewest the newest LogAppendTime in the topic; empty when it holds no record (nothing new: the
     *                     previous cutoff stays)
     * @param lastArchived the cutoff of the newest archived range
     */
    public static Instant choose(Instant driverNow, Optional<Instant> brokerNewest, Duration safetyMargin, IngestBuckets buckets,
            Instant lastArchived) {
        if (brokerNewest.isEmpty()) {
            return lastArchived;
        }
        Instant now = brokerNewest.get().isBefore(driverNow) ? brokerNewest.get() : driverNow;
        Instant candidate = buckets.bucketStart(now.minus(safetyMargin));
        return candidate.isAfter(lastArchived) ? candidate : lastArchived;
    }
}
