package io.lambdaplatform.batch;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * What one archived range holds of one partition of the events topic: the offsets {@code [fromOffset, toOffset)}.
 * The next range of the partition starts at {@code toOffset}.
 *
 * @param lastIngest the ingest time (running maximum of LogAppendTime) of the last record archived of this
 *                   partition, in this range or before; {@link Instant#EPOCH} when none ever was. The next range
 *                   continues the running maximum from it.
 */
public record PartitionOffsets(int partition, long fromOffset, long toOffset, Instant lastIngest) {

    public PartitionOffsets {
        requireNonNull(lastIngest, "lastIngest is null");
        if (partition < 0 || fromOffset < 0 || toOffset < fromOffset) {
            throw new IllegalArgumentException("Invalid offsets of partition " + partition + ": [" + fromOffset + ", " + toOffset + ")");
        }
    }

    /** Nothing archived of the partition yet: the next range starts at offset 0. */
    public static PartitionOffsets start(int partition) {
        return new PartitionOffsets(partition, 0, 0, Instant.EPOCH);
    }
}
