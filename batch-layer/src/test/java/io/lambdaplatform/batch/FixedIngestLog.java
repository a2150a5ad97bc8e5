package io.lambdaplatform.batch;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A hand-written {@link IngestLog}: the partitions and append times a test says the brokers have. */
record FixedIngestLog(Map<Integer, PartitionLog> partitions, Map<String, Instant> appendTimes) implements IngestLog {

    FixedIngestLog {
        partitions = new TreeMap<>(partitions);
        appendTimes = Map.copyOf(appendTimes);
    }

    /** One empty partition whose brokers' clock is far ahead: the driver's clock decides the cutoff. */
    static FixedIngestLog brokersAhead() {
        return new FixedIngestLog(Map.of(0, new PartitionLog(0, 0, 0, Instant.parse("2100-01-01T00:00:00Z"))), Map.of());
    }

    @Override
    public Optional<Instant> appendTimeAt(int partition, long offset) {
        return Optional.ofNullable(appendTimes.get(partition + "@" + offset));
    }
}
