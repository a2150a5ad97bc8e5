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

    /**
     * Per partition, the first offset whose LogAppendTime is at or past {@code time} ({@code ListOffsets} by timestamp);
     * a partition with none is absent. The archive reads no further than the record there. Empty: read every partition
     * to its log end.
     */
    default Map<Integer, Long> firstOffsetsAtOrAfter(Instant time) {
        return Map.of();
    }

    /** The newest LogAppendTime over the whole topic: the brokers' clock; empty when the topic holds no record. */
    default Optional<Instant> newestAppend() {
        return partitions().values().stream().flatMap(log -> log.newest().stream()).max(Instant::compareTo);
    }
}
