package io.lambdaplatform.batch;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** The events topic as the batch run sees it before it reads records: the brokers' offsets and clock. */
public interface IngestLog {

    /** Every partition of the topic now, by partition number. */
    Map<Integer, PartitionLog> partitions();

    /** The LogAppendTime of the first record at or after {@code offset} in the partition, if there is one. */
    Optional<Instant> appendTimeAt(int partition, long offset);

    /** The newest LogAppendTime over the whole topic: the brokers' clock; empty when the topic holds no record. */
    default Optional<Instant> newestAppend() {
        return partitions().values().stream().flatMap(log -> log.newest().stream()).max(Instant::compareTo);
    }
}
