package io.lambdaplatform.viewstore;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * Records of one partition of the events topic that a layer never read because they were deleted from
 * the log first (retention, {@code deleteRecords}): offsets {@code [fromOffset, toOffset)}, ingested
 * in {@code [fromIngest, toIngest)}. Every answer that needs events ingested in that span is incomplete.
 *
 * @param layer "batch" or "speed": which layer missed them
 */
public record IngestHole(String layer, int partition, long fromOffset, long toOffset, Instant fromIngest, Instant toIngest) {

    public IngestHole {
        requireNonNull(layer, "layer is null");
        requireNonNull(fromIngest, "fromIngest is null");
        requireNonNull(toIngest, "toIngest is null");
        if (partition < 0 || fromOffset < 0 || toOffset <= fromOffset) {
            throw new IllegalArgumentException("Invalid hole in partition " + partition + ": offsets [" + fromOffset + ", " + toOffset + ")");
        }
        if (toIngest.isBefore(fromIngest)) {
            throw new IllegalArgumentException("Hole ends before it starts: " + fromIngest + " .. " + toIngest);
        }
    }
}
