package io.lambdaplatform.batch;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import static java.util.Objects.requireNonNull;

/**
 * The records of {@code events} with ingest time (LogAppendTime) in {@code [from, to)}: what one archive
 * step reads from Kafka and writes to the master dataset as one range.
 */
public record IngestRange(Instant from, Instant to) {

    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    public IngestRange {
        requireNonNull(from, "from is null");
        requireNonNull(to, "to is null");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("Ingest range ends before it starts: [" + from + ", " + to + ")");
        }
    }

    public boolean isEmpty() {
        return from.equals(to);
    }

    /** The range's name in the master dataset, e.g. {@code kafka_20261124T101500.000Z_20261124T103000.000Z}. */
    public String id() {
        return "kafka_" + ID_TIME.format(from) + "_" + ID_TIME.format(to);
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }
}
