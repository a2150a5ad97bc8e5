package io.lambdaplatform.viewstore;

import io.lambdaplatform.model.Granularity;
import io.lambdaplatform.model.Metrics;
import io.lambdaplatform.model.ViewKey;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * One speed-layer row: the aggregate of the events of one product in one 5-minute event-time window
 * that were ingested within one ingest bucket. Stored as an absolute value, so writing it again is
 * harmless.
 *
 * @param key          a 5-minute window key
 * @param ingestBucket the start of the ingest-time bucket the events were appended in
 */
public record SpeedDelta(ViewKey key, Instant ingestBucket, Metrics metrics) {

    public SpeedDelta {
        requireNonNull(key, "key is null");
        requireNonNull(ingestBucket, "ingestBucket is null");
        requireNonNull(metrics, "metrics is null");
        if (key.window().granularity() != Granularity.FIVE_MINUTES) {
            throw new IllegalArgumentException("Speed deltas are kept at 5m, not " + key.window().granularity());
        }
    }
}
