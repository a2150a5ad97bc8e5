package io.lambdaplatform.batch;

import java.time.Instant;
import java.util.Optional;

/**
 * What the brokers hold of one partition of the events topic now.
 *
 * @param logStart     the first offset still in the log (retention and {@code deleteRecords} move it up)
 * @param logEnd       the offset the next record will get
 * @param newestAppend the highest LogAppendTime in the partition; {@code null} when it holds no record
 */
public record PartitionLog(int partition, long logStart, long logEnd, Instant newestAppend) {

    public PartitionLog {
        if (partition < 0 || logStart < 0 || logEnd < logStart) {
            throw new IllegalArgumentException("Invalid log of partition " + partition + ": [" + logStart + ", " + logEnd + ")");
        }
    }

    public Optional<Instant> newest() {
        return Optional.ofNullable(newestAppend);
    }
}
