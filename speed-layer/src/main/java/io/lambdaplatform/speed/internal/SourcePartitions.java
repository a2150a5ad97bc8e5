package io.lambdaplatform.speed.internal;

import java.time.Instant;

import static java.util.Objects.requireNonNull;

/**
 * How many partitions the events topic has, and until when that is certain: a partition added to the topic later has
 * no record ingested before {@code certainUntil}. The time at which the count was asked, less the allowed broker clock
 * skew, since a partition's records have log append times at or after the partition was created.
 *
 * <p>So a progress report may vouch for ingest times before {@code certainUntil} only: after it, the topic may have a
 * partition the report does not name.
 *
 * @param count        partitions 0 to count - 1
 * @param certainUntil no other partition has a record ingested before this
 */
public record SourcePartitions(int count, Instant certainUntil) {

    public SourcePartitions {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1: " + count);
        }
        requireNonNull(certainUntil, "certainUntil is null");
    }

    /** A count that never changes, as in tests with a fixed topic. */
    public static SourcePartitions fixed(int count) {
        return new SourcePartitions(count, Instant.MAX);
    }
}
